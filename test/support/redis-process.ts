export { freePort, startPrivateRedis, type PrivateRedis } from "../../harness/index.ts";
