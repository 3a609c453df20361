export { probeMedia, posterFrame, MediaError, type MediaFacts, type MediaToolOptions } from './probe.ts';
export { sniffMediaType, SNIFF_BYTES, type MediaFormat, type SniffedType } from './sniff.ts';
