import { api, queryString } from '../api.ts';
import { DEFAULT_TIME_ZONE, type ForecastChoice, type ForecastReply, type PatrolChoice, type PatrolReply } from './types.ts';

/** The map shows only the top 10% of cells: all it outlines, and a tenth of the data. */
export const MAP_TOP = 0.1;

/** by month is the default: left out of addresses; so is the default time zone, and any by month */
const byParam = (c: ForecastChoice) => (c.by === 'month' ? undefined : c.by);
const zoneParam = (c: ForecastChoice) => (c.by === 'month' || !c.timeZone || c.timeZone === DEFAULT_TIME_ZONE ? undefined : c.timeZone);

export const forecastUrl = (c: ForecastChoice, top = MAP_TOP) => `/api/forecast${queryString({ type: c.type, method: c.method, by: byParam(c), timeZone: zoneParam(c), top })}`;

export const patrolsUrl = (c: PatrolChoice & { period?: string }) =>
  `/api/forecast/patrols${queryString({ type: c.type, method: c.method, by: byParam(c), timeZone: zoneParam(c), areas: c.areas, maxCells: c.maxCells, period: c.period })}`;

export const briefingPath = (c: PatrolChoice & { period: string }) =>
  `/forecast/briefing${queryString({ type: c.type, method: c.method, by: byParam(c), timeZone: zoneParam(c), areas: c.areas, maxCells: c.maxCells, period: c.period })}`;

export const loadForecast = (c: ForecastChoice, signal?: AbortSignal) => api<ForecastReply>(forecastUrl(c), { signal });
export const loadPatrols = (c: PatrolChoice & { period?: string }, signal?: AbortSignal) => api<PatrolReply>(patrolsUrl(c), { signal });
