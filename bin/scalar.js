#!/usr/bin/env node
// Runs the TypeScript sources directly through tsx, so `npm ci && npx scalar` needs no build step.
import { register } from 'tsx/esm/api';

register();
await import('../cli/main.ts');
