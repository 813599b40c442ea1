// Worker entry: the Hono app and the Durable Object classes, nothing else.
import { app } from "./app.js";

export { VmObject } from "./durable/vm.js";
export { DatastoreObject } from "./durable/datastore.js";
export default app;
