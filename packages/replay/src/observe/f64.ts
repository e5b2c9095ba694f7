/**
 * 0 and -1 as doubles (V8 HeapNumbers: computed at load from a parsed double; a literal 0 or -1 is a small integer,
 * and a bundler may fold the arithmetic of literals). V8 gives an object field the representation of the first value
 * stored in it; when a later value needs a wider one (a double into a small-integer field) it moves every object of
 * that shape to a new map, and the pass's optimized methods, compiled against the old one, are deoptimized (7 deopts
 * of the per-event methods in a first replay of the bench trace, `node --trace-deopt`). Fields that come to hold
 * times, skb keys, byte sums or row numbers (doubles: they count from the batch starts) start with these.
 */
const HALF = Number.parseFloat('0.5');
export const F64_ZERO = HALF - HALF;
export const F64_MINUS_ONE = F64_ZERO - 1;
