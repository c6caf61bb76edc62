package bidi

import (
	"context"
	"encoding/json"
	"fmt"
	"time"
)

// Clicking, and why it takes care. A click is aimed (the element's centre
// is computed) and then pressed; if the page moves in between, the press
// lands on whatever is there now. Firefox moves the page by itself after
// typing: it scrolls the caret of the field typed in into view a moment
// later, which, on the report page, undid the scroll to the send button
// and put the file field's label under the pointer. The press then opened
// the file picker, or went down on the button and up on the label, and the
// report was never sent: the Firefox "first-send stall" (docs/web.md). So
// [Browser.Click] waits until the element is still and is what is under
// its centre, guards the press (events that reach anything else are
// stopped before the page sees them), and aims again if it missed.

// clickTries bounds how many times a click is aimed again after a miss.
const clickTries = 5

// steadyFrames is how many animation frames in a row the element must
// keep its place, unobscured, before it is clicked.
const steadyFrames = 3

// Click moves the mouse to the middle of the element matching selector
// and clicks it, once the element is scrolled into view and still; a
// press that the page's movement sent elsewhere is stopped and aimed
// again. It fails the test if the element never holds still, or no press
// reaches it.
func (b *Browser) Click(selector string) {
	b.t.Helper()
	for try := 1; ; try++ {
		el := b.element(selector)
		b.steady(selector)
		b.Eval(guardJS(selector), nil)
		b.Do("input.performActions", map[string]any{"context": b.Context, "actions": []any{
			map[string]any{"type": "pointer", "id": "mouse", "parameters": map[string]string{"pointerType": "mouse"}, "actions": []any{
				map[string]any{"type": "pointerMove", "x": 0, "y": 0, "origin": map[string]any{"type": "element", "element": el}},
				map[string]any{"type": "pointerDown", "button": 0},
				map[string]any{"type": "pointerUp", "button": 0},
			}},
		}}, nil)
		missed := b.unguard()
		if missed == "" {
			return
		}
		if try == clickTries {
			b.t.Fatalf("bidi: %d clicks on %s all landed elsewhere (last: %s)", try, selector, missed)
		}
		b.t.Logf("bidi: the click on %s landed elsewhere (%s), stopped; aiming again", selector, missed)
	}
}

// steady scrolls the element matching selector into view and waits until
// it has kept its place, with its centre on itself, for steadyFrames
// frames. Without page JavaScript (Safest) promises never settle, so it
// only scrolls.
func (b *Browser) steady(selector string) {
	b.t.Helper()
	if !b.Level.JavaScript() {
		b.Eval(fmt.Sprintf("document.querySelector(%q).scrollIntoView({block: 'center', behavior: 'instant'})", selector), nil)
		return
	}
	const limit = 10 * time.Second
	b.eval(fmt.Sprintf(`(async (el) => {
  const frame = () => new Promise((r) => requestAnimationFrame(() => r()));
  const deadline = Date.now() + %d;
  let last = '', still = 0;
  while (still < %d) {
    if (Date.now() > deadline) throw new Error('the element never held still');
    const r = el.getBoundingClientRect();
    const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
    const at = [r.left, r.top, r.width, r.height].join();
    if (!hit || !el.contains(hit)) {
      el.scrollIntoView({ block: 'center', behavior: 'instant' });
      still = 0;
    } else if (at === last) still++;
    else still = 0;
    last = at;
    await frame();
  }
  return true;
})(document.querySelector(%q))`, limit.Milliseconds(), steadyFrames, selector), nil, false, limit+5*time.Second)
}

// guardJS installs, in the sandbox, listeners that see each mouse event
// before the page does and stop those whose target is not the element
// matching selector (or inside it), noting the miss, until a click has
// reached the element.
func guardJS(selector string) string {
	return fmt.Sprintf(`(() => {
  const el = document.querySelector(%q);
  const g = { missed: '', hit: false, stop: null };
  const check = (ev) => {
    // Once the click has reached the element, what it causes is the
    // page's: a label's click on its control, say.
    if (g.hit) return;
    if (el.contains(ev.target)) {
      if (ev.type === 'click') g.hit = true;
      return;
    }
    ev.preventDefault();
    ev.stopImmediatePropagation();
    if (!g.missed) g.missed = ev.type + ' on ' + (ev.target.id ? '#' + ev.target.id : ev.target.nodeName);
  };
  const types = ['pointerdown', 'mousedown', 'pointerup', 'mouseup', 'click', 'auxclick', 'dblclick'];
  for (const t of types) window.addEventListener(t, check, true);
  g.stop = () => { for (const t of types) window.removeEventListener(t, check, true); };
  globalThis.difesaClickGuard = g;
  return true;
})()`, selector)
}

// unguard removes the guard and returns what it stopped ("" if nothing).
// A click that loaded a new document left no guard there: it reached.
func (b *Browser) unguard() string {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), Timeout)
	defer cancel()
	raw, err := b.evaluate(ctx, jsonOf(`(() => {
  const g = globalThis.difesaClickGuard;
  if (!g) return '';
  g.stop();
  delete globalThis.difesaClickGuard;
  return g.missed;
})()`, false), false)
	if err != nil {
		return "" // the document went away: the click navigated
	}
	var n node
	json.Unmarshal(raw, &n)
	var missed string
	json.Unmarshal([]byte(n.Value), &missed)
	return missed
}
