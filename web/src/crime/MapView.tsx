import 'maplibre-gl/dist/maplibre-gl.css';
import { useEffect, useRef, useState } from 'react';
import {
  AttributionControl,
  Map as MapLibreMap,
  NavigationControl,
  ScaleControl,
  prewarm,
  setWorkerUrl,
  type ErrorEvent,
  type GeoJSONSource,
  type LngLatBoundsLike,
  type MapLayerMouseEvent,
  type StyleSpecification,
} from 'maplibre-gl';
// MapLibre 6 loads its worker as a separate module file found beside its own script;
// once bundled, that is wherever Vite puts it. Served from our origin, so the CSP's
// worker-src 'self' allows it.
import workerUrl from 'maplibre-gl/dist/maplibre-gl-worker.mjs?url';
import { showForecast } from '../forecast/mapLayers.ts';
import type { ForecastCell, PatrolArea } from '../forecast/types.ts';
import type { Band } from './scale.ts';
import { colourExpression } from './scale.ts';
import type { HexCollection, HexFeature } from './types.ts';

setWorkerUrl(workerUrl);
// Start the workers while the page asks for its data, not after.
prewarm();

const HEX_SOURCE = 'crime-hexes';
const FILL = 'crime-hexes-fill';
const OUTLINE = 'crime-hexes-outline';
const SELECTED = 'crime-hexes-selected';
const SELECTED_INNER = 'crime-hexes-selected-inner';
const LSOA_SOURCE = 'lsoas';

/** No basemap: a plain background, so the map works offline and needs no tile server. */
const BLANK_STYLE: StyleSpecification = {
  version: 8,
  sources: {},
  layers: [{ id: 'background', type: 'background', paint: { 'background-color': '#f3f2f1' } }],
};

declare global {
  interface Window {
    /** performance.now() when the hexes were first drawn (read by the benchmark) */
    __peelMapRendered?: number;
    /** performance.now() each time new hexes finished drawing */
    __peelMapRenders?: number[];
  }
}

export interface ZoomRequest {
  cell: string;
  /** a new number for each request, so asking for the same cell twice zooms twice */
  n: number;
}

export interface MapViewProps {
  hexes: HexCollection | null;
  bands: Band[];
  selected: string | null;
  zoom: ZoomRequest | null;
  /** the basemap's MapLibre style URL; null for none, undefined while not yet known */
  styleUrl: string | null | undefined;
  lsoaUrl: string | null;
  onSelect: (cell: string) => void;
  describedBy?: string;
  /** the forecast layer's top cells and the patrol areas, when switched on */
  forecastCells?: ForecastCell[] | null;
  patrolAreas?: PatrolArea[] | null;
}

/**
 * The MapLibre map. It is made once, as soon as the page opens (before the page knows
 * its data), with no basemap; a configured basemap style replaces that when known. New
 * data replaces the hexagon source's data with setData (the layers stay), so the old
 * hexagons stay on screen until the new ones are ready.
 */
export function MapView({ hexes, bands, selected, zoom, styleUrl, lsoaUrl, onSelect, describedBy, forecastCells = null, patrolAreas = null }: MapViewProps) {
  const container = useRef<HTMLDivElement>(null);
  const mapRef = useRef<MapLibreMap | null>(null);
  /** a new number each time our layers are (re)added to a style; 0 while they are not there */
  const [layersVersion, setLayersVersion] = useState(0);
  const layersCount = useRef(0);
  /** whether our layers are in the map's style now (state lags a render behind) */
  const layersIn = useRef(false);
  const ready = layersVersion > 0;
  const fitted = useRef(false);
  const version = useRef(0);
  const boundariesShown = useRef<string | null>(null);
  const basemapApplied = useRef(false);
  const onSelectRef = useRef(onSelect);
  const hexesRef = useRef(hexes);
  useEffect(() => {
    onSelectRef.current = onSelect;
    hexesRef.current = hexes;
  });

  // Make the map once.
  useEffect(() => {
    const element = container.current;
    if (!element) return;
    const map = new MapLibreMap({
      container: element,
      style: BLANK_STYLE,
      // England and Wales, until the data says where to look.
      center: [-2.0, 52.8],
      zoom: 5.5,
      attributionControl: false,
      dragRotate: false,
      pitchWithRotate: false,
      touchPitch: false,
      fadeDuration: 0,
      maxZoom: 17,
    });
    map.touchZoomRotate.disableRotation();
    map.keyboard.disableRotation();
    map.addControl(new NavigationControl({ showCompass: false }), 'top-right');
    map.addControl(new ScaleControl({ unit: 'metric' }), 'bottom-right');
    mapRef.current = map;

    // The canvas can take focus (arrow keys pan, + and − zoom); name it for screen readers.
    const canvas = map.getCanvas();
    canvas.setAttribute('aria-label', 'Map of crimes by hexagon. Use the arrow keys to move and plus and minus to zoom.');

    map.once('load', () => {
      addLayers(map, boundariesShown.current);
      layersIn.current = true;
      setLayersVersion(++layersCount.current);
    });
    map.on('click', FILL, (event: MapLayerMouseEvent) => {
      const cell = event.features?.[0]?.properties?.cell;
      if (typeof cell === 'string') onSelectRef.current(cell);
    });
    map.on('mouseenter', FILL, () => {
      map.getCanvas().style.cursor = 'pointer';
    });
    map.on('mouseleave', FILL, () => {
      map.getCanvas().style.cursor = '';
    });

    return () => {
      mapRef.current = null;
      layersIn.current = false;
      fitted.current = false;
      boundariesShown.current = null;
      basemapApplied.current = false;
      setLayersVersion(0);
      map.remove();
    };
  }, []);

  useEffect(() => {
    const canvas = mapRef.current?.getCanvas();
    if (!canvas) return;
    if (describedBy) canvas.setAttribute('aria-describedby', describedBy);
    else canvas.removeAttribute('aria-describedby');
  }, [describedBy]);

  // A configured basemap: swap the blank style for it, then put our layers back on top.
  useEffect(() => {
    const map = mapRef.current;
    if (!ready || !map || !styleUrl || basemapApplied.current) return;
    basemapApplied.current = true;
    let settled = false;
    let onStyleLoad: (() => void) | null = null;
    const restore = (style: string | StyleSpecification) => {
      // Our layers go with the old style: nothing may touch them until they are back.
      layersIn.current = false;
      setLayersVersion(0);
      if (onStyleLoad) map.off('style.load', onStyleLoad);
      onStyleLoad = () => {
        onStyleLoad = null;
        addLayers(map, boundariesShown.current);
        layersIn.current = true;
        setLayersVersion(++layersCount.current);
      };
      map.once('style.load', onStyleLoad);
      map.setStyle(style, { diff: false });
    };
    const onError = (event: ErrorEvent) => {
      // A basemap that cannot be reached must not leave an empty map: go back to none.
      if (settled) return;
      settled = true;
      console.warn('The basemap style could not be loaded; showing the map without it.', event.error?.message);
      restore(BLANK_STYLE);
    };
    map.once('error', onError);
    map.once('style.load', () => {
      settled = true;
      map.off('error', onError);
    });
    map.addControl(new AttributionControl({ compact: true }), 'bottom-right');
    restore(styleUrl);
  }, [ready, styleUrl]);

  // New data: replace the source's data and recolour; fit the view to the first data.
  useEffect(() => {
    const map = mapRef.current;
    if (!ready || !layersIn.current || !map || !hexes) return;
    const source = map.getSource<GeoJSONSource>(HEX_SOURCE);
    if (!source) return;
    const n = ++version.current;
    performance.mark('peel-map-data');
    // Fit the view to the first data before handing it over, so the map cuts its tiles once, for the final view.
    if (!fitted.current) {
      const bounds = dataBounds(hexes.features);
      if (bounds) {
        fitted.current = true;
        map.fitBounds(bounds, { padding: 24, animate: false, maxZoom: 14 });
      }
    }
    map.setPaintProperty(FILL, 'fill-color', colourExpression(bands) as never);
    void source.setData(hexes as unknown as Parameters<GeoJSONSource['setData']>[0]).then(() => {
      if (n !== version.current || mapRef.current !== map || !layersIn.current) return;
      performance.mark('peel-map-data-loaded');
      map.once('idle', () => {
        if (n !== version.current || mapRef.current !== map || !layersIn.current) return;
        const now = performance.now();
        performance.mark('peel-map-drawn');
        // The boundaries only give context: load them once the hexagons are on screen.
        if (lsoaUrl && !boundariesShown.current) {
          boundariesShown.current = lsoaUrl;
          addBoundaries(map, lsoaUrl);
        }
        window.__peelMapRendered ??= now;
        (window.__peelMapRenders ??= []).push(now);
        const element = container.current;
        if (element) {
          element.dataset.renders = String(window.__peelMapRenders.length);
          element.dataset.features = String(hexes.features.length);
          element.dataset.drawn = String(map.queryRenderedFeatures({ layers: [FILL] }).length);
        }
      });
      map.triggerRepaint();
    });
  }, [layersVersion, hexes, bands, lsoaUrl]);

  // Outline the selected hexagon.
  useEffect(() => {
    const map = mapRef.current;
    if (!ready || !layersIn.current || !map) return;
    const filter = ['==', ['get', 'cell'], selected ?? ''] as never;
    map.setFilter(SELECTED, filter);
    map.setFilter(SELECTED_INNER, filter);
  }, [layersVersion, selected]);

  // The forecast layer (its layers are added only once there is something to show).
  useEffect(() => {
    const map = mapRef.current;
    if (!ready || !layersIn.current || !map) return;
    showForecast(map, forecastCells, patrolAreas);
    // Dim the hexagons under the forecast, so its outlines stand out (and only touch them when that changes).
    const dim = Boolean(forecastCells || patrolAreas);
    if (dim !== (map.getPaintProperty(FILL, 'fill-opacity') as unknown[] | undefined)?.includes(0.4)) {
      map.setPaintProperty(FILL, 'fill-opacity', ['case', ['has', 'count'], dim ? 0.4 : 0.82, 0.01] as never);
    }
    const element = container.current;
    if (element) {
      element.dataset.forecastCells = String(forecastCells?.length ?? 0);
      element.dataset.patrolAreas = String(patrolAreas?.length ?? 0);
    }
  }, [layersVersion, forecastCells, patrolAreas]);

  // Zoom to a cell when asked (a hotspot row was chosen).
  useEffect(() => {
    const map = mapRef.current;
    const shown = hexesRef.current;
    if (!ready || !map || !zoom || !shown) return;
    const feature = shown.features.find((f) => f.properties.cell === zoom.cell);
    const bounds = feature && boundsOf([feature]);
    if (!bounds) return;
    const reduceMotion = window.matchMedia('(prefers-reduced-motion: reduce)').matches;
    // Close enough to see the streets, far enough to see the hexagon's neighbours.
    const { clientWidth, clientHeight } = map.getContainer();
    const padding = Math.max(20, Math.min(clientWidth, clientHeight) * 0.3);
    map.fitBounds(bounds, { padding, maxZoom: 14, duration: reduceMotion ? 0 : 600 });
  }, [ready, zoom]);

  return <div className="peel-crime__map" ref={container} data-testid="crime-map" />;
}

/** Our sources and layers, on top of whatever the style has. */
function addLayers(map: MapLibreMap, boundaries: string | null) {
  // Until the data comes, one tiny, almost transparent placeholder triangle (it has no
  // count) in view lets the map compile its fill and line shaders while the data is on
  // its way rather than after (slow in software-rendered WebGL).
  const c = map.getCenter();
  const placeholder = {
    type: 'Feature' as const,
    properties: { placeholder: true },
    geometry: { type: 'Polygon' as const, coordinates: [[[c.lng, c.lat], [c.lng + 0.001, c.lat], [c.lng, c.lat + 0.001], [c.lng, c.lat]]] },
  };
  map.addSource(HEX_SOURCE, { type: 'geojson', data: { type: 'FeatureCollection', features: [placeholder] }, buffer: 16, maxzoom: 12 });
  map.addLayer({
    id: FILL,
    type: 'fill',
    source: HEX_SOURCE,
    paint: { 'fill-color': '#ffffb2', 'fill-opacity': ['case', ['has', 'count'], 0.82, 0.01] },
  });
  map.addLayer({
    id: OUTLINE,
    type: 'line',
    source: HEX_SOURCE,
    paint: {
      'line-color': '#0b0c0c',
      'line-opacity': ['interpolate', ['linear'], ['zoom'], 9, ['case', ['has', 'count'], 0.05, 0.01], 14, ['case', ['has', 'count'], 0.25, 0.01]],
      'line-width': 0.5,
    },
  });
  // The selected hexagon: a thick black outline with a yellow one inside, GOV.UK's focus colours.
  map.addLayer({
    id: SELECTED,
    type: 'line',
    source: HEX_SOURCE,
    filter: ['==', ['get', 'cell'], ''],
    paint: { 'line-color': '#0b0c0c', 'line-width': 5 },
  });
  map.addLayer({
    id: SELECTED_INNER,
    type: 'line',
    source: HEX_SOURCE,
    filter: ['==', ['get', 'cell'], ''],
    paint: { 'line-color': '#ffdd00', 'line-width': 2 },
  });
  if (boundaries) addBoundaries(map, boundaries);
}

/** Faint neighbourhood (LSOA) boundaries under the selection outline, for reference where there is no basemap. */
function addBoundaries(map: MapLibreMap, lsoaUrl: string) {
  map.addSource(LSOA_SOURCE, { type: 'geojson', data: new URL(lsoaUrl, window.location.href).href });
  map.addLayer(
    {
      id: 'lsoa-lines',
      type: 'line',
      source: LSOA_SOURCE,
      paint: { 'line-color': '#505a5f', 'line-opacity': 0.3, 'line-width': 0.6 },
    },
    SELECTED,
  );
}

/**
 * Where the crimes are: the box holding all but the outermost 0.2% of them on each side.
 * A few records always sit far away (police.uk snaps some to points across the county
 * border, or further), and fitting the view to those would leave the force area small.
 */
function dataBounds(features: HexFeature[]): LngLatBoundsLike | null {
  const points: Array<{ lng: number; lat: number; weight: number }> = [];
  let total = 0;
  for (const feature of features) {
    const ring = feature.geometry.coordinates[0] ?? [];
    if (ring.length === 0) continue;
    let lng = 0;
    let lat = 0;
    for (const position of ring) {
      lng += position[0] ?? 0;
      lat += position[1] ?? 0;
    }
    const weight = Math.max(1, feature.properties.count);
    points.push({ lng: lng / ring.length, lat: lat / ring.length, weight });
    total += weight;
  }
  if (points.length === 0) return null;
  const trim = total * 0.002;
  const range = (key: 'lng' | 'lat'): [number, number] => {
    const sorted = [...points].sort((a, b) => a[key] - b[key]);
    let low = sorted[0]![key];
    let high = sorted[sorted.length - 1]![key];
    let seen = 0;
    for (const p of sorted) {
      seen += p.weight;
      if (seen > trim) {
        low = p[key];
        break;
      }
    }
    seen = 0;
    for (let i = sorted.length - 1; i >= 0; i--) {
      seen += sorted[i]!.weight;
      if (seen > trim) {
        high = sorted[i]![key];
        break;
      }
    }
    return [low, high];
  };
  const [west, east] = range('lng');
  const [south, north] = range('lat');
  // At least the size of a hexagon or two, so one busy cell does not fill the screen.
  const margin = 0.01;
  return [west - margin, south - margin, east + margin, north + margin];
}

/** The box around these hexagons, corners and all. */
function boundsOf(features: HexFeature[]): LngLatBoundsLike | null {
  let west = Infinity;
  let south = Infinity;
  let east = -Infinity;
  let north = -Infinity;
  for (const feature of features) {
    for (const ring of feature.geometry.coordinates) {
      for (const [lng, lat] of ring) {
        if (lng === undefined || lat === undefined) continue;
        if (lng < west) west = lng;
        if (lng > east) east = lng;
        if (lat < south) south = lat;
        if (lat > north) north = lat;
      }
    }
  }
  return Number.isFinite(west) ? [west, south, east, north] : null;
}
