export { EXIT } from './exit.js';
