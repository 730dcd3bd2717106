/** The repository's example contracts as options of a <select> (value "example:<id>"). */
import { exampleContracts } from "../examples.ts";

export function ExampleOptions() {
  return (
    <optgroup label="Examples">
      {exampleContracts.map((e) => (
        <option key={e.id} value={`example:${e.id}`}>
          {e.title} ({e.id})
        </option>
      ))}
    </optgroup>
  );
}
