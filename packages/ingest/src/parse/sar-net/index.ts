export { looksLikeSarNet, readSarNet, type SarNetRead, type SarNetRow } from './read.js';
