;

export {};
