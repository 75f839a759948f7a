/**
 * HTTP on the game port, whichever engine carries it: the REST routes (`http-routes.ts`: guests,
 * games, readiness, metrics; `watch-routes.ts`: live matches, replays, histories, leaderboards),
 * the browser page and the games' browser modules as the build step wrote them (`page-files.ts`,
 * with their Content-Security-Policy in `page-headers.ts`), the Admin UI, and `/metrics` alone on
 * `METRICS_PORT` (`metrics-server.ts`).
 */
export { adminAsset, instrumentAdmin } from "./admin-ui.ts";
export { httpError, json, type HttpRequest, type HttpResponse } from "./http-message.ts";
export { handleHttp, handleMetrics, MAX_HTTP_BODY, type RouteDeps } from "./http-routes.ts";
export { MetricsServer } from "./metrics-server.ts";
export { DEFAULT_PAGE_DIR, PageFiles, PageNotBuilt, type Page } from "./page-files.ts";
