// Segment membership for branch conditions, as the segments module keeps it.
export { isInSegment } from '../segments/segments.service.ts';
