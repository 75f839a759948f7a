export { freePort, startPrivateRedis, type PrivateRedis } from "../../bench/private-redis.ts";
