import type { Tab } from './drivers/index.js';

/**
 * A user's steps on a page, in every engine: the driver layer has no locators (classic WebDriver
 * and Puppeteer's BiDi would each need their own), so these act through the DOM the way a user's
 * input does — a value and an `input` event, a click on the button — and wait for what the user
 * would see.
 */

/** Types `text` into the field, replacing what it held. */
export function fill(tab: Tab, selector: string, text: string): Promise<void> {
  return tab.evaluate(
    ({ selector, text }) => {
      const field = document.querySelector<HTMLInputElement>(selector);
      if (field === null) throw new Error(`no ${selector} on ${location.pathname}`);
      field.value = text;
      field.dispatchEvent(new Event('input', { bubbles: true }));
    },
    { selector, text },
  );
}

/**
 * Clicks the element. The click runs after the script has answered, so a click that navigates
 * (a link, a form's submit button) does not tear down the driver's call; wait for its effect.
 */
export function click(tab: Tab, selector: string): Promise<void> {
  return tab.evaluate((selector) => {
    const element = document.querySelector<HTMLElement>(selector);
    if (element === null) throw new Error(`no ${selector} on ${location.pathname}`);
    setTimeout(() => element.click());
  }, selector);
}

/** Resolves once an element matching `selector` is shown. */
export function waitForVisible(tab: Tab, selector: string): Promise<void> {
  return tab.waitForFunction((selector) => document.querySelector(selector)?.checkVisibility() === true, selector);
}

/** Resolves once the first element matching `selector` holds text that contains `text`. */
export function waitForText(tab: Tab, selector: string, text: string): Promise<void> {
  return tab.waitForFunction(({ selector, text }) => document.querySelector(selector)?.textContent?.includes(text) === true, {
    selector,
    text,
  });
}

/** Resolves once exactly `count` elements match `selector`. */
export function waitForCount(tab: Tab, selector: string, count: number): Promise<void> {
  return tab.waitForFunction(({ selector, count }) => document.querySelectorAll(selector).length === count, { selector, count });
}

/** How many elements match `selector` and contain `text`. */
export function countWithText(tab: Tab, selector: string, text: string): Promise<number> {
  return tab.evaluate(
    ({ selector, text }) => [...document.querySelectorAll(selector)].filter((element) => element.textContent?.includes(text)).length,
    { selector, text },
  );
}
