export { readTraceDat, type TraceDatOptions } from './reader.js';
