/** @txreplay/cli is the `txreplay` command (src/main.ts): commands only wire flags to the libraries; no library API. */
export {};
