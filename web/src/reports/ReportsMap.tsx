import { useEffect, useRef, useState } from 'react';
import { Marker, type GeoJSONSource, type Map as MapLibreMap, type MapLayerMouseEvent } from 'maplibre-gl';
import { makeMap } from './maplibre.ts';

export interface MapPoint {
  id: string;
  latitude: number;
  longitude: number;
  /** true where the place was inferred from a place name rather than given */
  inferred: boolean;
}

const SOURCE = 'messages';
const SELECTED_SOURCE = 'selected-message';
const CLUSTERS = 'message-clusters';
const POINTS = 'message-points';

export interface ReportsMapProps {
  points: MapPoint[];
  selected: string | null;
  styleUrl: string | null;
  onSelect: (id: string) => void;
  /** the area in view as minLon,minLat,maxLon,maxLat, after each move */
  onArea?: (bbox: string) => void;
}

/**
 * The control room's map: the same messages as the feed, by where they were sent from,
 * gathered into clusters where dense (a bigger, darker circle for more). Tapping a message
 * selects it in the feed; tapping a cluster zooms into it. The selected message is drawn on
 * top even when it sits inside a cluster.
 */
export default function ReportsMap({ points, selected, styleUrl, onSelect, onArea }: ReportsMapProps) {
  const container = useRef<HTMLDivElement>(null);
  const mapRef = useRef<MapLibreMap | null>(null);
  const [version, setVersion] = useState(0);
  const fitted = useRef(false);
  const onSelectRef = useRef(onSelect);
  const onAreaRef = useRef(onArea);
  useEffect(() => {
    onSelectRef.current = onSelect;
    onAreaRef.current = onArea;
  });

  useEffect(() => {
    const element = container.current;
    if (!element) return;
    const map = makeMap(element, {
      styleUrl,
      label: 'Map of the messages in the feed. Use the arrow keys to move and plus and minus to zoom.',
      onLayers: (m) => {
        m.addSource(SOURCE, { type: 'geojson', data: { type: 'FeatureCollection', features: [] }, cluster: true, clusterRadius: 40, clusterMaxZoom: 15 });
        m.addSource(SELECTED_SOURCE, { type: 'geojson', data: { type: 'FeatureCollection', features: [] } });
        // Clusters: no text labels, as a map with no basemap has no fonts; size and colour say how many.
        m.addLayer({
          id: CLUSTERS,
          type: 'circle',
          source: SOURCE,
          filter: ['has', 'point_count'],
          paint: {
            'circle-color': ['step', ['get', 'point_count'], '#5694ca', 10, '#1d70b8', 50, '#003078'],
            'circle-radius': ['step', ['get', 'point_count'], 14, 10, 20, 50, 28],
            'circle-stroke-color': '#ffffff',
            'circle-stroke-width': 2,
          },
        });
        m.addLayer({
          id: POINTS,
          type: 'circle',
          source: SOURCE,
          filter: ['!', ['has', 'point_count']],
          paint: {
            'circle-color': ['case', ['get', 'inferred'], '#f47738', '#d4351c'],
            'circle-radius': 7,
            'circle-stroke-color': '#ffffff',
            'circle-stroke-width': 2,
          },
        });
        m.addLayer({ id: 'message-selected', type: 'circle', source: SELECTED_SOURCE, paint: { 'circle-radius': 11, 'circle-color': '#ffdd00', 'circle-stroke-color': '#0b0c0c', 'circle-stroke-width': 4 } });
        setVersion((v) => v + 1);
      },
    });
    map.on('click', POINTS, (event: MapLayerMouseEvent) => {
      const id = event.features?.[0]?.properties?.id;
      if (typeof id === 'string') onSelectRef.current(id);
    });
    map.on('click', CLUSTERS, (event: MapLayerMouseEvent) => {
      const feature = event.features?.[0];
      const clusterId = feature?.properties?.cluster_id;
      if (typeof clusterId !== 'number' || feature?.geometry.type !== 'Point') return;
      const centre = feature.geometry.coordinates as [number, number];
      void map
        .getSource<GeoJSONSource>(SOURCE)
        ?.getClusterExpansionZoom(clusterId)
        .then((zoom) => map.easeTo({ center: centre, zoom }));
    });
    for (const layer of [POINTS, CLUSTERS]) {
      map.on('mouseenter', layer, () => (map.getCanvas().style.cursor = 'pointer'));
      map.on('mouseleave', layer, () => (map.getCanvas().style.cursor = ''));
    }
    map.on('moveend', () => {
      const b = map.getBounds();
      const round = (n: number) => Math.round(n * 1e5) / 1e5;
      onAreaRef.current?.([b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map((n, i) => Math.max(i % 2 ? -90 : -180, Math.min(i % 2 ? 90 : 180, round(n)))).join(','));
    });
    // How many each cluster holds, written on it. A map with no basemap has no fonts for
    // MapLibre's own labels, so these are small HTML labels kept on top of the circles.
    const labels = new Map<number, Marker>();
    const updateLabels = () => {
      if (!map.getLayer(CLUSTERS)) return;
      const seen = new Set<number>();
      for (const feature of map.queryRenderedFeatures({ layers: [CLUSTERS] })) {
        const id = feature.properties?.cluster_id as number;
        if (seen.has(id) || feature.geometry.type !== 'Point') continue;
        seen.add(id);
        const at = feature.geometry.coordinates as [number, number];
        const text = String(feature.properties?.point_count ?? '');
        const label = labels.get(id);
        if (label) {
          label.setLngLat(at);
          label.getElement().textContent = text;
        } else {
          const element = document.createElement('span');
          element.className = 'peel-control__cluster-count';
          element.setAttribute('aria-hidden', 'true');
          element.textContent = text;
          labels.set(id, new Marker({ element }).setLngLat(at).addTo(map));
        }
      }
      for (const [id, label] of labels) {
        if (seen.has(id)) continue;
        label.remove();
        labels.delete(id);
      }
    };
    map.on('moveend', updateLabels);
    map.on('sourcedata', (event) => {
      if (event.sourceId === SOURCE && event.isSourceLoaded) updateLabels();
    });
    // What is drawn, for tests and for anyone checking the map against the feed.
    map.on('idle', () => {
      updateLabels();
      const shown = map.getLayer(POINTS) ? map.queryRenderedFeatures({ layers: [POINTS] }) : [];
      const clusters = map.getLayer(CLUSTERS) ? map.queryRenderedFeatures({ layers: [CLUSTERS] }) : [];
      element.dataset.shown = shown.map((f) => String(f.properties?.id)).join(' ');
      element.dataset.clusters = String(clusters.length);
    });
    mapRef.current = map;
    return () => {
      mapRef.current = null;
      fitted.current = false;
      map.remove();
    };
  }, [styleUrl]);

  useEffect(() => {
    const map = mapRef.current;
    const source = map?.getSource<GeoJSONSource>(SOURCE);
    if (!map || !source) return;
    void source.setData({
      type: 'FeatureCollection',
      features: points.map((p) => ({ type: 'Feature', properties: { id: p.id, inferred: p.inferred }, geometry: { type: 'Point', coordinates: [p.longitude, p.latitude] } })),
    });
    container.current?.setAttribute('data-points', String(points.length));
    if (!fitted.current && points.length > 0) {
      fitted.current = true;
      map.fitBounds(boundsOf(points), { padding: 40, maxZoom: 14, animate: false });
    }
  }, [points, version]);

  useEffect(() => {
    const map = mapRef.current;
    const source = map?.getSource<GeoJSONSource>(SELECTED_SOURCE);
    if (!map || !source) return;
    const point = points.find((p) => p.id === selected);
    void source.setData({
      type: 'FeatureCollection',
      features: point ? [{ type: 'Feature', properties: { id: point.id }, geometry: { type: 'Point', coordinates: [point.longitude, point.latitude] } }] : [],
    });
    container.current?.setAttribute('data-selected', point?.id ?? '');
    if (point && !map.getBounds().contains([point.longitude, point.latitude])) {
      const reduceMotion = window.matchMedia('(prefers-reduced-motion: reduce)').matches;
      map.easeTo({ center: [point.longitude, point.latitude], duration: reduceMotion ? 0 : 400 });
    }
  }, [points, selected, version]);

  return <div className="peel-control__map" ref={container} data-testid="reports-map" />;
}

function boundsOf(points: MapPoint[]): [number, number, number, number] {
  let [w, s, e, n] = [Infinity, Infinity, -Infinity, -Infinity];
  for (const p of points) {
    w = Math.min(w, p.longitude);
    e = Math.max(e, p.longitude);
    s = Math.min(s, p.latitude);
    n = Math.max(n, p.latitude);
  }
  const margin = 0.005;
  return [w - margin, s - margin, e + margin, n + margin];
}
