/**
 * The processes the tests and the bench start: a private `redis-server` with no persistence on a
 * free port, and Arena nodes (or any entry point of this project) as child processes, run the way
 * `npm start` runs them. One place, imported by both.
 */
export { freePort, startPrivateRedis, type PrivateRedis } from "./private-redis.ts";
export { hasTaskset, SERVER_NODE_FLAGS, spawnNode, spawnScript, type ChildNode } from "./node-process.ts";
export { startRedisCluster, type PrivateRedisCluster } from "./redis-cluster.ts";
export { haproxyConfig, haproxyBinary, startLocalCluster, type LocalCluster } from "./local-cluster.ts";
export { FaultProxy } from "./fault-proxy.ts";
