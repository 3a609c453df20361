import 'maplibre-gl/dist/maplibre-gl.css';
import { AttributionControl, Map as MapLibreMap, NavigationControl, ScaleControl, setWorkerUrl, type StyleSpecification } from 'maplibre-gl';
// MapLibre's worker is a file of its own, served from our origin (the CSP allows worker-src 'self').
import workerUrl from 'maplibre-gl/dist/maplibre-gl-worker.mjs?url';

setWorkerUrl(workerUrl);

/** No basemap: a plain background, so the map works offline and needs no tile server. */
export const BLANK_STYLE: StyleSpecification = {
  version: 8,
  sources: {},
  layers: [{ id: 'background', type: 'background', paint: { 'background-color': '#f3f2f1' } }],
};

/** England and Wales, until there is something to look at. */
export const DEFAULT_VIEW = { center: [-1.5, 52.7] as [number, number], zoom: 5.5 };

/**
 * A MapLibre map as Peel's pages make them: no rotation, no basemap unless one is
 * configured (and back to none if it cannot be reached), and `onLayers` called each time
 * the style is ready for the page's own sources and layers.
 */
export function makeMap(
  container: HTMLElement,
  options: {
    styleUrl: string | null;
    label: string;
    center?: [number, number];
    zoom?: number;
    /** a map inside a long page: one finger (or the mouse wheel) scrolls the page, two fingers (or Ctrl) move the map */
    cooperative?: boolean;
    onLayers: (map: MapLibreMap) => void;
  },
): MapLibreMap {
  const map = new MapLibreMap({
    container,
    style: options.styleUrl ?? BLANK_STYLE,
    center: options.center ?? DEFAULT_VIEW.center,
    zoom: options.zoom ?? DEFAULT_VIEW.zoom,
    attributionControl: false,
    dragRotate: false,
    pitchWithRotate: false,
    touchPitch: false,
    fadeDuration: 0,
    maxZoom: 18,
    cooperativeGestures: options.cooperative ?? false,
  });
  map.touchZoomRotate.disableRotation();
  map.keyboard.disableRotation();
  map.addControl(new NavigationControl({ showCompass: false }), 'top-right');
  map.addControl(new ScaleControl({ unit: 'metric' }), 'bottom-left');
  if (options.styleUrl) {
    map.addControl(new AttributionControl({ compact: true }), 'bottom-right');
    let loaded = false;
    map.once('style.load', () => {
      loaded = true;
    });
    map.once('error', (event) => {
      if (loaded) return;
      console.warn('The basemap style could not be loaded; showing the map without it.', event.error?.message);
      map.setStyle(BLANK_STYLE, { diff: false });
    });
  }
  map.getCanvas().setAttribute('aria-label', options.label);
  map.on('style.load', () => options.onLayers(map));
  return map;
}
