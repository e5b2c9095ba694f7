export { looksLikeInterrupts, readInterrupts, type InterruptsRead, type IrqSnapshot } from './read.js';
export { nicIrqOfName, type IrqDirection, type NicIrq } from './names.js';
