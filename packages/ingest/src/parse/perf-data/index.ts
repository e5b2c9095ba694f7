export { readPerfData } from './reader.js';
