// EIC codes of the bidding zones Scalar covers, their readable names and the time zone their
// calendar (P1D/P1M/P1Y steps) is counted in; psrType codes.

export type Area = { code: string; eic: string; name: string; tz: string };

const a = (code: string, eic: string, name: string, tz = 'Europe/Brussels'): Area => ({ code, eic, name, tz });

export const AREAS: readonly Area[] = [
  a('DE-LU', '10Y1001A1001A82H', 'Germany-Luxembourg', 'Europe/Berlin'),
  a('FR', '10YFR-RTE------C', 'France', 'Europe/Paris'),
  a('BE', '10YBE----------2', 'Belgium'),
  a('NL', '10YNL----------L', 'Netherlands', 'Europe/Amsterdam'),
  a('AT', '10YAT-APG------L', 'Austria', 'Europe/Vienna'),
  a('CH', '10YCH-SWISSGRIDZ', 'Switzerland', 'Europe/Zurich'),
  a('PL', '10YPL-AREA-----S', 'Poland', 'Europe/Warsaw'),
  a('CZ', '10YCZ-CEPS-----N', 'Czechia', 'Europe/Prague'),
  a('SK', '10YSK-SEPS-----K', 'Slovakia', 'Europe/Bratislava'),
  a('HU', '10YHU-MAVIR----U', 'Hungary', 'Europe/Budapest'),
  a('SI', '10YSI-ELES-----O', 'Slovenia', 'Europe/Ljubljana'),
  a('HR', '10YHR-HEP------M', 'Croatia', 'Europe/Zagreb'),
  a('RO', '10YRO-TEL------P', 'Romania', 'Europe/Bucharest'),
  a('BG', '10YCA-BULGARIA-R', 'Bulgaria', 'Europe/Sofia'),
  a('GR', '10YGR-HTSO-----Y', 'Greece', 'Europe/Athens'),
  a('IT-NORD', '10Y1001A1001A73I', 'Italy North', 'Europe/Rome'),
  a('IT-CNOR', '10Y1001A1001A70O', 'Italy Centre-North', 'Europe/Rome'),
  a('IT-CSUD', '10Y1001A1001A71M', 'Italy Centre-South', 'Europe/Rome'),
  a('IT-SUD', '10Y1001A1001A788', 'Italy South', 'Europe/Rome'),
  a('IT-SICI', '10Y1001A1001A75E', 'Italy Sicily', 'Europe/Rome'),
  a('IT-SARD', '10Y1001A1001A74G', 'Italy Sardinia', 'Europe/Rome'),
  a('ES', '10YES-REE------0', 'Spain', 'Europe/Madrid'),
  a('PT', '10YPT-REN------W', 'Portugal', 'Europe/Lisbon'),
  a('DK1', '10YDK-1--------W', 'Denmark West', 'Europe/Copenhagen'),
  a('DK2', '10YDK-2--------M', 'Denmark East', 'Europe/Copenhagen'),
  a('NO1', '10YNO-1--------2', 'Norway Oslo', 'Europe/Oslo'),
  a('NO2', '10YNO-2--------T', 'Norway Kristiansand', 'Europe/Oslo'),
  a('NO3', '10YNO-3--------J', 'Norway Trondheim', 'Europe/Oslo'),
  a('NO4', '10YNO-4--------9', 'Norway Tromsø', 'Europe/Oslo'),
  a('NO5', '10Y1001A1001A48H', 'Norway Bergen', 'Europe/Oslo'),
  a('SE1', '10Y1001A1001A44P', 'Sweden Luleå', 'Europe/Stockholm'),
  a('SE2', '10Y1001A1001A45N', 'Sweden Sundsvall', 'Europe/Stockholm'),
  a('SE3', '10Y1001A1001A46L', 'Sweden Stockholm', 'Europe/Stockholm'),
  a('SE4', '10Y1001A1001A47J', 'Sweden Malmö', 'Europe/Stockholm'),
  a('FI', '10YFI-1--------U', 'Finland', 'Europe/Helsinki'),
  a('EE', '10Y1001A1001A39I', 'Estonia', 'Europe/Tallinn'),
  a('LV', '10YLV-1001A00074', 'Latvia', 'Europe/Riga'),
  a('LT', '10YLT-1001A0008Q', 'Lithuania', 'Europe/Vilnius'),
  a('IE-SEM', '10Y1001A1001A59C', 'Ireland (SEM)', 'Europe/Dublin'),
  a('GB', '10YGB----------A', 'Great Britain', 'Europe/London'),
  a('LU', '10YLU-CEGEDEL-NQ', 'Luxembourg', 'Europe/Luxembourg'),
];

const byEic = new Map(AREAS.map((x) => [x.eic, x]));
const byCode = new Map(AREAS.map((x) => [x.code.toUpperCase(), x]));

/** An area by its EIC code or short name (case-insensitive); undefined when unknown. */
export function findArea(codeOrEic: string): Area | undefined {
  return byEic.get(codeOrEic) ?? byCode.get(codeOrEic.toUpperCase()) ?? byCode.get(codeOrEic.toUpperCase().replace('_', '-'));
}

/** The time zone an EIC's calendar is counted in; Brussels time for codes outside the list. */
export function areaTimeZone(eic: string): string {
  return byEic.get(eic)?.tz ?? 'Europe/Brussels';
}

export const PSR_TYPES: Readonly<Record<string, string>> = {
  B01: 'Biomass',
  B02: 'Fossil Brown coal/Lignite',
  B03: 'Fossil Coal-derived gas',
  B04: 'Fossil Gas',
  B05: 'Fossil Hard coal',
  B06: 'Fossil Oil',
  B07: 'Fossil Oil shale',
  B08: 'Fossil Peat',
  B09: 'Geothermal',
  B10: 'Hydro Pumped Storage',
  B11: 'Hydro Run-of-river and poundage',
  B12: 'Hydro Water Reservoir',
  B13: 'Marine',
  B14: 'Nuclear',
  B15: 'Other renewable',
  B16: 'Solar',
  B17: 'Waste',
  B18: 'Wind Offshore',
  B19: 'Wind Onshore',
  B20: 'Other',
  B21: 'AC Link',
  B22: 'DC Link',
  B23: 'Substation',
  B24: 'Transformer',
  B25: 'Energy storage',
};
