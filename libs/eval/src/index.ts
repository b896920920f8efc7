export { passAtK, meanPassAtK, avgAtN, greedyAccuracy, type QuestionCount } from './metrics';
export { meanCI, pairedDiffCI, type CI, type PairedDiffCI } from './stats';
export { tQuantile, tCdf, normalQuantile } from './t-dist';
export { escapeXml } from './svg/xml';
export { lineChart, type LineChartSpec, type LineSeries } from './svg/line-chart';
export { barChart, type BarChartSpec, type BarGroup, type Bar } from './svg/bar-chart';
export { histogram, type HistogramSpec, type HistogramSeries } from './svg/histogram';
