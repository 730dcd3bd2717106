/** The app proper, loaded by main.tsx once the workers are started: Monaco, React, the screen. */
import "./monaco/setup.ts";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App, type AppProps } from "./App.tsx";

export function mount(root: HTMLElement, props: AppProps): void {
  createRoot(root).render(
    <StrictMode>
      <App {...props} />
    </StrictMode>,
  );
}
