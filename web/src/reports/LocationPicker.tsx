import { useEffect, useRef, useState } from 'react';
import type { Feature, Polygon } from 'geojson';
import type { GeoJSONSource, Map as MapLibreMap } from 'maplibre-gl';
import { blurPoint, type Point } from './blur.ts';
import { makeMap } from './maplibre.ts';

const SOURCE = 'picked';

export interface LocationPickerProps {
  /** the exact point chosen, or null */
  point: Point | null;
  /** the size of the blurring square in metres (0: none) */
  precision: number;
  styleUrl: string | null;
  /** where to look before anything is chosen */
  center?: [number, number];
  onPick: (point: Point) => void;
}

/**
 * Tap the map to say where. The exact point shows as a dot; when blurred, the square
 * the police will be told about shows around it, with its centre (what is sent) marked.
 */
export default function LocationPicker({ point, precision, styleUrl, center, onPick }: LocationPickerProps) {
  const container = useRef<HTMLDivElement>(null);
  const mapRef = useRef<MapLibreMap | null>(null);
  const [version, setVersion] = useState(0);
  const onPickRef = useRef(onPick);
  useEffect(() => {
    onPickRef.current = onPick;
  });

  useEffect(() => {
    const element = container.current;
    if (!element) return;
    const map = makeMap(element, {
      styleUrl,
      label: 'Map: tap where it happened. Use the arrow keys to move and plus and minus to zoom.',
      center: point ? [point.longitude, point.latitude] : center,
      zoom: point ? 15 : center ? 11 : undefined,
      cooperative: true,
      onLayers: (m) => {
        m.addSource(SOURCE, { type: 'geojson', data: { type: 'FeatureCollection', features: [] } });
        m.addLayer({ id: 'picked-area', type: 'fill', source: SOURCE, filter: ['==', ['get', 'kind'], 'area'], paint: { 'fill-color': '#1d70b8', 'fill-opacity': 0.2 } });
        m.addLayer({ id: 'picked-area-line', type: 'line', source: SOURCE, filter: ['==', ['get', 'kind'], 'area'], paint: { 'line-color': '#1d70b8', 'line-width': 2 } });
        m.addLayer({
          id: 'picked-point',
          type: 'circle',
          source: SOURCE,
          filter: ['==', ['get', 'kind'], 'point'],
          paint: { 'circle-radius': 8, 'circle-color': '#d4351c', 'circle-stroke-color': '#ffffff', 'circle-stroke-width': 2 },
        });
        setVersion((v) => v + 1);
      },
    });
    map.on('click', (event) => onPickRef.current({ latitude: event.lngLat.lat, longitude: event.lngLat.lng }));
    mapRef.current = map;
    return () => {
      mapRef.current = null;
      map.remove();
    };
    // The map is made once; the point and basemap it opens with are only its starting view.
  }, []);

  useEffect(() => {
    const map = mapRef.current;
    const source = map?.getSource<GeoJSONSource>(SOURCE);
    if (!map || !source) return;
    const features: Feature[] = [];
    if (point) {
      features.push({ type: 'Feature', properties: { kind: 'point' }, geometry: { type: 'Point', coordinates: [point.longitude, point.latitude] } });
      if (precision > 0) features.push({ type: 'Feature', properties: { kind: 'area' }, geometry: squareAround(point, precision) });
      // Close in on the spot when it is out of view, or the map is too far out to show the blurring square
      // (a rough first tap, or "Use my location"): the reporter can then check it, or tap again more exactly.
      const at: [number, number] = [point.longitude, point.latitude];
      if (!map.getBounds().contains(at) || map.getZoom() < 12) map.jumpTo({ center: at, zoom: Math.max(map.getZoom(), 15) });
    }
    void source.setData({ type: 'FeatureCollection', features });
  }, [point, precision, version]);

  return <div className="peel-report-picker" ref={container} data-testid="location-picker" />;
}

/** The blurring square holding the point, as a polygon. */
function squareAround(point: Point, metres: number): Polygon {
  const centre = blurPoint(point, metres);
  const halfLat = metres / 111_320 / 2;
  const halfLon = metres / (111_320 * Math.cos((centre.latitude * Math.PI) / 180)) / 2;
  const [w, e, s, n] = [centre.longitude - halfLon, centre.longitude + halfLon, centre.latitude - halfLat, centre.latitude + halfLat];
  return { type: 'Polygon', coordinates: [[[w, s], [e, s], [e, n], [w, n], [w, s]]] };
}
