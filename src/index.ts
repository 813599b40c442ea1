// Worker entry: the Hono app and the Durable Object classes, nothing else.
import { app } from "./app.js";

export { VmObject } from "./durable/vm.js";
export default app;
