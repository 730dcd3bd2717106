/**
 * The divider between the code and the panels: drag it, or focus it and use the arrow keys
 * (Home and End for the extremes), to share the width between them. The panels' width is kept
 * in this browser.
 */
import { useCallback, useEffect, useRef, useState, type KeyboardEvent, type PointerEvent } from "react";

const KEY = "obc.panels-width";
/** the panels and the code keep at least this much width */
export const MIN_PANELS = 320;
const MIN_CODE = 320;
/** the outline's width (styles.css) */
const OUTLINE = 200;
const STEP = 24;

function stored(): number | undefined {
  const n = Number(localStorage.getItem(KEY));
  return Number.isFinite(n) && n > 0 ? n : undefined;
}

/** The panels' width in pixels, set on the layout as --panels-width; undefined: the default (42%). */
export function usePanelsWidth(): [number | undefined, (w: number) => void] {
  const [width, setWidth] = useState<number | undefined>(() => {
    try {
      return stored();
    } catch {
      return undefined;
    }
  });
  const set = useCallback((w: number) => {
    setWidth(w);
    try {
      localStorage.setItem(KEY, String(Math.round(w)));
    } catch {
      // not kept: the layout still works
    }
  }, []);
  return [width, set];
}

export interface DividerProps {
  width: number | undefined;
  onChange: (width: number) => void;
  /** the id of the panels' element */
  controls: string;
}

export function Divider({ width, onChange, controls }: DividerProps) {
  const ref = useRef<HTMLDivElement>(null);
  const [dragging, setDragging] = useState(false);
  const [, rerender] = useState(0);

  const bounds = () => {
    const layout = ref.current?.parentElement?.getBoundingClientRect();
    const total = layout?.width ?? window.innerWidth;
    return { max: Math.max(MIN_PANELS, total - OUTLINE - MIN_CODE), right: layout?.right ?? window.innerWidth };
  };
  const current = () => width ?? (ref.current?.nextElementSibling as HTMLElement | null)?.getBoundingClientRect().width ?? MIN_PANELS;
  const clamp = (w: number) => Math.round(Math.min(bounds().max, Math.max(MIN_PANELS, w)));

  // the window got narrower: the panels must still leave room for the code
  useEffect(() => {
    const onResize = () => {
      if (width !== undefined && width > bounds().max) onChange(clamp(width));
      rerender((n) => n + 1);
    };
    window.addEventListener("resize", onResize);
    return () => window.removeEventListener("resize", onResize);
  });

  const onPointerDown = (e: PointerEvent<HTMLDivElement>) => {
    e.preventDefault();
    e.currentTarget.setPointerCapture(e.pointerId);
    setDragging(true);
  };
  const onPointerMove = (e: PointerEvent<HTMLDivElement>) => {
    if (!dragging) return;
    onChange(clamp(bounds().right - e.clientX - 4));
  };
  const onPointerUp = (e: PointerEvent<HTMLDivElement>) => {
    e.currentTarget.releasePointerCapture(e.pointerId);
    setDragging(false);
  };
  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    const w = current();
    const next = e.key === "ArrowLeft" ? w + STEP : e.key === "ArrowRight" ? w - STEP : e.key === "Home" ? bounds().max : e.key === "End" ? MIN_PANELS : undefined;
    if (next === undefined) return;
    e.preventDefault();
    onChange(clamp(next));
  };

  return (
    <div
      ref={ref}
      className={`divider${dragging ? " dragging" : ""}`}
      role="separator"
      aria-orientation="vertical"
      aria-label="Width of the panels (arrow keys to change it)"
      aria-controls={controls}
      aria-valuemin={MIN_PANELS}
      aria-valuemax={Math.round(bounds().max)}
      aria-valuenow={Math.round(current())}
      tabIndex={0}
      data-testid="divider"
      onPointerDown={onPointerDown}
      onPointerMove={onPointerMove}
      onPointerUp={onPointerUp}
      onKeyDown={onKeyDown}
    />
  );
}
