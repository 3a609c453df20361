import { LngLatBounds, Marker, type GeoJSONSource, type Map as MapLibreMap } from 'maplibre-gl';
import type { ForecastCell, PatrolArea } from './types.ts';

/**
 * The forecast on the crime map: the top 10% of cells outlined (the top 5% more heavily)
 * and the patrol areas drawn with their numbers. Added to the map only when there is
 * something to show, so the map's first render carries none of it.
 */

const CELLS = 'forecast-cells';
const AREAS = 'patrol-areas';
const empty = { type: 'FeatureCollection' as const, features: [] };

const markers = new WeakMap<MapLibreMap, Marker[]>();

function ensureLayers(map: MapLibreMap): void {
  if (map.getSource(CELLS)) return;
  map.addSource(CELLS, { type: 'geojson', data: empty });
  map.addSource(AREAS, { type: 'geojson', data: empty });
  // Purple (GOV.UK's) on the dimmed hexagons; patrol areas in blue on a white casing.
  map.addLayer({ id: 'forecast-top5-fill', type: 'fill', source: CELLS, filter: ['==', ['get', 'top5'], true], paint: { 'fill-color': '#4c2c92', 'fill-opacity': 0.3 } });
  map.addLayer({ id: 'forecast-top10-line', type: 'line', source: CELLS, filter: ['==', ['get', 'top5'], false], paint: { 'line-color': '#4c2c92', 'line-width': 1.5, 'line-dasharray': [2, 1] } });
  map.addLayer({ id: 'forecast-top5-line', type: 'line', source: CELLS, filter: ['==', ['get', 'top5'], true], paint: { 'line-color': '#4c2c92', 'line-width': 2.5 } });
  map.addLayer({ id: 'patrol-areas-fill', type: 'fill', source: AREAS, paint: { 'fill-color': '#1d70b8', 'fill-opacity': 0.15 } });
  map.addLayer({ id: 'patrol-areas-casing', type: 'line', source: AREAS, paint: { 'line-color': '#ffffff', 'line-width': 7 } });
  map.addLayer({ id: 'patrol-areas-line', type: 'line', source: AREAS, paint: { 'line-color': '#1d70b8', 'line-width': 4 } });
}

/** Shows (or with nulls, clears) the forecast cells and patrol areas; returns how many of each are drawn. */
export function showForecast(map: MapLibreMap, cells: ForecastCell[] | null, areas: PatrolArea[] | null): void {
  if (!cells && !areas && !map.getSource(CELLS)) return;
  ensureLayers(map);
  void map.getSource<GeoJSONSource>(CELLS)!.setData({ type: 'FeatureCollection', features: (cells ?? []) as never });
  void map.getSource<GeoJSONSource>(AREAS)!.setData({ type: 'FeatureCollection', features: (areas ?? []) as never });
  for (const m of markers.get(map) ?? []) m.remove();
  // Numbers as HTML markers: they need no font files, so they work with no basemap too.
  const placed = (areas ?? []).map((a) => {
    const element = document.createElement('div');
    element.className = 'peel-patrol-marker';
    element.textContent = String(a.properties.area);
    element.setAttribute('aria-hidden', 'true');
    return new Marker({ element }).setLngLat([a.properties.centre[0]!, a.properties.centre[1]!]).addTo(map);
  });
  markers.set(map, placed);
  // A new plan: bring its areas into view.
  if (areas && areas.length > 0 && lastAreas.get(map) !== areas) {
    const bounds = new LngLatBounds();
    for (const a of areas) for (const ring of a.geometry.type === 'Polygon' ? a.geometry.coordinates : a.geometry.coordinates.flat()) for (const p of ring) bounds.extend([p[0]!, p[1]!]);
    const reduceMotion = window.matchMedia('(prefers-reduced-motion: reduce)').matches;
    map.fitBounds(bounds, { padding: 80, maxZoom: 14, duration: reduceMotion ? 0 : 600 });
  }
  lastAreas.set(map, areas);
}

const lastAreas = new WeakMap<MapLibreMap, PatrolArea[] | null>();
