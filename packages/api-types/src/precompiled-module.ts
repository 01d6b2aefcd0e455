/** File name of the validators precompiled at build time, next to the built `validate.js`. */
export const PRECOMPILED_MODULE = 'precompiled-validators.js';
