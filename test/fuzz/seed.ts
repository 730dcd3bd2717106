/** The seed of the campaigns `npm test` and `npm run fuzz` run unless told otherwise. */
export const DEFAULT_SEED = 20_261_203;
