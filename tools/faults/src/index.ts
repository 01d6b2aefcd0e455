export { KeepAliveClient, rawExchange } from './http-exchange';
export type { HttpAnswer, HttpRequest } from './http-exchange';
export { RssSampler, formatRss, readRssBytes, rssBoundBytes } from './process-rss';
export type { RssFigures } from './process-rss';
export {
  anyJson,
  authorizationHeader,
  deepJson,
  encodeBody,
  headerChoice,
  hostileBodyText,
  hostileText,
  segment,
} from './hostile-input';
export type { Encoding, HeaderChoice } from './hostile-input';
export { runPool } from './run-pool';
