export { readTraceDat } from './reader.js';
