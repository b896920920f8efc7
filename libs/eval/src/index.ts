export { passAtK, meanPassAtK, avgAtN, greedyAccuracy, type QuestionCount } from './metrics';
export { meanCI, pairedDiffCI, type CI, type PairedDiffCI } from './stats';
export { tQuantile, tCdf, normalQuantile } from './t-dist';
