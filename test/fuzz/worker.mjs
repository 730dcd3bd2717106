// A fuzz worker thread: tsx is registered first (worker threads do not inherit the parent's
// module hooks), then the cases of its range are run by worker.ts.
import { register } from "tsx/esm/api";

register();
await import(new URL("./worker.ts", import.meta.url).href);
