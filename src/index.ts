// Worker entry: the Hono app and the Durable Object classes, nothing else.
import { app } from "./app.js";

export { VmObject } from "./durable/vm.js";
export { HostObject } from "./durable/host.js";
export { CoordinatorObject } from "./durable/coordinator.js";
export { DatastoreObject } from "./durable/datastore.js";
export default app;
