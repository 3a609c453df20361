import { useEffect, useRef, useState } from 'react';
import type { GeoJSONSource, Map as MapLibreMap, MapLayerMouseEvent } from 'maplibre-gl';
import { cornersOf, type AreaSafety } from './area-safety-types.ts';
import { makeMap } from './maplibre.ts';

export const LEVEL_COLOURS = { higher: '#d4351c', typical: '#b1b4b6', lower: '#00703c' } as const;

const SOURCE = 'safety';
/** An area's key in a MapLibre expression: its H3 cell or its LSOA code. */
const KEY: ['coalesce', ['get', 'cell'], ['get', 'lsoaCode']] = ['coalesce', ['get', 'cell'], ['get', 'lsoaCode']];

/** Hexagons coloured by level; tapping one selects it. */
export default function SafetyMap({ data, selected, styleUrl, onSelect }: { data: AreaSafety | null; selected: string | null; styleUrl: string | null; onSelect: (cell: string) => void }) {
  const container = useRef<HTMLDivElement>(null);
  const mapRef = useRef<MapLibreMap | null>(null);
  const [version, setVersion] = useState(0);
  const fitted = useRef(false);
  const onSelectRef = useRef(onSelect);
  useEffect(() => {
    onSelectRef.current = onSelect;
  });

  useEffect(() => {
    const element = container.current;
    if (!element) return;
    const map = makeMap(element, {
      styleUrl,
      label: 'Map of areas by how much crime is known there compared with the typical area. The table below gives the same figures.',
      onLayers: (m) => {
        m.addSource(SOURCE, { type: 'geojson', data: { type: 'FeatureCollection', features: [] } });
        m.addLayer({
          id: 'safety-fill',
          type: 'fill',
          source: SOURCE,
          paint: { 'fill-color': ['match', ['get', 'level'], 'higher', LEVEL_COLOURS.higher, 'lower', LEVEL_COLOURS.lower, LEVEL_COLOURS.typical], 'fill-opacity': 0.6 },
        });
        m.addLayer({ id: 'safety-line', type: 'line', source: SOURCE, paint: { 'line-color': '#0b0c0c', 'line-opacity': 0.3, 'line-width': 0.5 } });
        m.addLayer({ id: 'safety-selected', type: 'line', source: SOURCE, filter: ['==', KEY, ''], paint: { 'line-color': '#ffdd00', 'line-width': 4 } });
        setVersion((v) => v + 1);
      },
    });
    map.on('click', 'safety-fill', (event: MapLayerMouseEvent) => {
      const properties = event.features?.[0]?.properties;
      const key = properties?.cell ?? properties?.lsoaCode;
      if (typeof key === 'string') onSelectRef.current(key);
    });
    mapRef.current = map;
    return () => {
      mapRef.current = null;
      fitted.current = false;
      map.remove();
    };
    // The map is made once, with the basemap known before it is shown.
  }, []);

  useEffect(() => {
    const map = mapRef.current;
    const source = map?.getSource<GeoJSONSource>(SOURCE);
    if (!map || !source || !data) return;
    void source.setData(data as unknown as Parameters<GeoJSONSource['setData']>[0]);
    const element = container.current;
    if (element) {
      element.dataset.cells = String(data.features.length);
      element.dataset.minCount = data.features.length ? String(Math.min(...data.features.map((f) => f.properties.count))) : '';
    }
    if (!fitted.current && data.features.length > 0) {
      fitted.current = true;
      let [w, s, e, n] = [Infinity, Infinity, -Infinity, -Infinity];
      for (const f of data.features)
        for (const [x, y] of cornersOf(f)) {
          w = Math.min(w, x!);
          e = Math.max(e, x!);
          s = Math.min(s, y!);
          n = Math.max(n, y!);
        }
      map.fitBounds([w, s, e, n], { padding: 20, animate: false });
    }
  }, [data, version]);

  useEffect(() => {
    const map = mapRef.current;
    if (map?.getLayer('safety-selected')) map.setFilter('safety-selected', ['==', KEY, selected ?? '']);
  }, [selected, version]);

  return <div className="peel-safety__map" ref={container} data-testid="safety-map" />;
}
