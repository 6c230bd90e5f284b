/*
 * The status page's script. It reads GET /balances with conditional requests (If-None-Match),
 * never sooner than the answer's Cache-Control max-age allows nor more often than the configured
 * interval, and each visible account's history only when the account's figures changed (also
 * conditionally). Both are served from the service's cache: the page never makes the service
 * call an upstream, and never asks it to refresh. Every node is built with the DOM API: no
 * string ever becomes markup (the page's Content-Security-Policy requires Trusted Types for that).
 */
(function () {
  'use strict';

  const KEY_STORAGE = 'kling-balances.consumer-key';
  /** One colour per product line of a chart (the first is the single line's). */
  const LINE_COLOURS = ['#1d4ed8', '#b45309', '#047857', '#7c3aed'];
  const SECOND = 1000;
  const MINUTE = 60 * SECOND;
  const HOUR = 60 * MINUTE;
  const DAY = 24 * HOUR;
  const TICK = 15 * SECOND;
  const CHART_HEIGHT = 120;

  const numbers = new Intl.NumberFormat(undefined, { maximumFractionDigits: 1 });
  const percent = new Intl.NumberFormat(undefined, { style: 'percent', maximumFractionDigits: 0 });
  const compact = new Intl.NumberFormat(undefined, { notation: 'compact', maximumFractionDigits: 1 });
  const rates = new Intl.NumberFormat(undefined, { maximumSignificantDigits: 3 });
  const dateTime = new Intl.DateTimeFormat(undefined,
    { weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' });
  const clockTime = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' });

  const state = {
    settings: null,
    data: null,
    etag: null,
    clockOffset: 0,
    timer: null,
    due: false,
    histories: new Map(),
    charts: new Map(),
    loadingHistories: false,
    historiesAgain: false,
    filter: ''
  };

  const resizes = (typeof ResizeObserver === 'function') ? new ResizeObserver(resizeCharts) : null;

  const $ = (id) => document.getElementById(id);

  /** Builds an element; attributes with null, undefined or false values are left out. */
  function el(tag, attributes, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes || {})) {
      if (value === null || value === undefined || value === false) {
        continue;
      }
      if (name === 'class') {
        node.className = value;
      } else {
        node.setAttribute(name, value === true ? '' : String(value));
      }
    }
    for (const child of children.flat()) {
      if (child !== null && child !== undefined && child !== false) {
        node.append(child instanceof Node ? child : String(child));
      }
    }
    return node;
  }

  // ---- words for numbers and times -------------------------------------------------------

  /** The service's idea of now (its answers carry generatedAt), so "4 min ago" is right even when this clock is off. */
  function now() {
    return Date.now() + state.clockOffset;
  }

  /** A provider's display name, as the service's registered providers state it (status/settings). */
  function providerName(provider) {
    const names = (state.settings && state.settings.providers) || {};
    return Object.prototype.hasOwnProperty.call(names, provider) ? names[provider] : provider;
  }

  function amount(value, unit) {
    return numbers.format(Number(value)) + ' ' + unit;
  }

  function spanInWords(ms) {
    if (ms < 90 * MINUTE) {
      return Math.max(1, Math.round(ms / MINUTE)) + ' min';
    }
    if (ms < 36 * HOUR) {
      return Math.round(ms / HOUR) + ' h';
    }
    const days = Math.round(ms / DAY);
    return days + (days === 1 ? ' day' : ' days');
  }

  function relative(iso) {
    const difference = Date.parse(iso) - now();
    if (Math.abs(difference) < 45 * SECOND) {
      return 'just now';
    }
    const words = spanInWords(Math.abs(difference));
    return difference < 0 ? words + ' ago' : 'in ' + words;
  }

  function timeText(node) {
    const iso = node.getAttribute('datetime');
    const text = relative(iso);
    return node.dataset.relative === 'with-date' ? text + ' (' + dateTime.format(new Date(iso)) + ')' : text;
  }

  /** A time that says how long ago or ahead it is, kept current by the ticker. */
  function time(iso, withDate) {
    const node = el('time', { datetime: iso, title: dateTime.format(new Date(iso)),
      'data-relative': withDate ? 'with-date' : 'plain' });
    node.textContent = timeText(node);
    return node;
  }

  function updateTimes() {
    document.querySelectorAll('time[data-relative]').forEach((node) => {
      node.textContent = timeText(node);
    });
  }

  /** Milliseconds of an ISO-8601 duration as Java writes it (PT12H, PT1H30M, PT0.5S, P2D), or null. */
  function durationMillis(text) {
    const parts = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/.exec(text || '');
    if (!parts) {
      return null;
    }
    const [, days, hours, minutes, seconds] = parts.map((part) => Number(part || 0));
    return days * DAY + hours * HOUR + minutes * MINUTE + seconds * SECOND;
  }

  function sentence(text) {
    return text ? text.charAt(0).toLowerCase() + text.slice(1) : '';
  }

  // ---- the consumer key -------------------------------------------------------------------

  function storedKey() {
    try {
      return sessionStorage.getItem(KEY_STORAGE);
    } catch (ignored) {
      return null;
    }
  }

  function storeKey(key) {
    try {
      if (key) {
        sessionStorage.setItem(KEY_STORAGE, key);
      } else {
        sessionStorage.removeItem(KEY_STORAGE);
      }
    } catch (ignored) {
      // Storage refused (private mode): the key lives as long as the page does.
    }
    state.memoryKey = key;
  }

  function currentKey() {
    return storedKey() || state.memoryKey || null;
  }

  function showPrompt(message) {
    clearTimeout(state.timer);
    forgetData();
    $('dashboard').hidden = true;
    $('check-now').hidden = true;
    $('forget-key').hidden = true;
    $('key-prompt').hidden = false;
    $('key-error').textContent = message || '';
    status(message ? 'The key was not accepted.' : 'A consumer key is needed to show the balances.', Boolean(message));
    $('last-checked').textContent = '';
    $('key-input').value = '';
    $('key-input').setAttribute('aria-invalid', message ? 'true' : 'false');
    $('key-input').focus();
  }

  function submitKey(event) {
    event.preventDefault();
    const key = $('key-input').value.trim();
    if (!key) {
      $('key-error').textContent = 'Enter your consumer key.';
      $('key-input').setAttribute('aria-invalid', 'true');
      return;
    }
    // Only these can travel in a header; anything else is no key of this service's either.
    if (!/^[\x21-\x7e]+$/.test(key)) {
      $('key-error').textContent = 'A consumer key has letters, digits and punctuation only, without spaces. Check it and try again.';
      $('key-input').setAttribute('aria-invalid', 'true');
      return;
    }
    storeKey(key);
    $('key-error').textContent = '';
    $('key-input').value = '';
    status('Checking the key…', false);
    check();
  }

  function forgetKey() {
    storeKey(null);
    showPrompt('');
  }

  // ---- requests -----------------------------------------------------------------------------

  function request(url, etag) {
    const headers = { Accept: 'application/json' };
    const key = currentKey();
    if (key) {
      headers['X-API-Key'] = key;
    }
    if (etag) {
      headers['If-None-Match'] = etag;
    }
    // no-store: the ETag is sent and a 304 reaches this script, instead of the browser's own cache answering.
    return fetch(url, { headers, cache: 'no-store', credentials: 'omit', redirect: 'error' });
  }

  function maxAgeMillis(response) {
    const match = /max-age=(\d+)/.exec(response.headers.get('Cache-Control') || '');
    return match ? Number(match[1]) * SECOND : 0;
  }

  async function problemDetail(response) {
    try {
      const problem = await response.json();
      return problem.detail || '';
    } catch (ignored) {
      return '';
    }
  }

  /** When the next check is due: not before the answer's max-age, never sooner than the interval. */
  function schedule(delay) {
    clearTimeout(state.timer);
    const wait = Math.max(delay, state.settings.refreshSeconds * SECOND);
    state.nextCheck = Date.now() + wait;
    state.timer = setTimeout(() => {
      if (document.hidden) {
        state.due = true;
      } else {
        check();
      }
    }, wait);
  }

  function status(text, problem) {
    const node = $('refresh-status');
    node.textContent = text;
    node.classList.toggle('problem', Boolean(problem));
  }

  function noteChecked() {
    const next = state.nextCheck ? ' · next check at ' + clockTime.format(new Date(state.nextCheck)) : '';
    $('last-checked').textContent = 'Checked at ' + clockTime.format(new Date()) + next;
  }

  async function check() {
    if (state.checking) {
      return;
    }
    clearTimeout(state.timer);
    state.due = false;
    state.checking = true;
    try {
      await checkNow();
    } finally {
      state.checking = false;
    }
  }

  async function checkNow() {
    let response;
    try {
      response = await request('balances', state.etag);
    } catch (failure) {
      status('The service could not be reached' + (state.data ? '; the figures shown are from the last check.' : '.'), true);
      schedule(0);
      noteChecked();
      return;
    }
    if (response.status === 304) {
      schedule(maxAgeMillis(response));
      noteChecked();
      return;
    }
    if (response.status === 200) {
      const data = await response.json();
      state.etag = response.headers.get('ETag');
      accept(data);
      schedule(maxAgeMillis(response));
      status('Figures updated at ' + clockTime.format(new Date()) + '.', false);
      noteChecked();
      loadHistories();
      return;
    }
    if (response.status === 401) {
      const detail = await problemDetail(response);
      const hadKey = Boolean(currentKey());
      storeKey(null);
      showPrompt(hadKey ? 'That key was not accepted. ' + detail + ' Check it and enter it again.' : '');
      return;
    }
    if (response.status === 429) {
      const retryAfter = Number(response.headers.get('Retry-After')) || 0;
      status('Too many requests with this key; waiting before the next check.', true);
      schedule(retryAfter * SECOND);
      noteChecked();
      return;
    }
    const detail = await problemDetail(response);
    status('The service answered ' + response.status + (detail ? ': ' + detail : '.'), true);
    schedule(0);
    noteChecked();
  }

  function accept(data) {
    if (data.generatedAt) {
      state.clockOffset = Date.parse(data.generatedAt) - Date.now();
    }
    state.data = data;
    $('key-prompt').hidden = true;
    const firstShow = $('dashboard').hidden;
    $('dashboard').hidden = false;
    $('check-now').hidden = false;
    $('forget-key').hidden = !currentKey();
    render();
    if (firstShow && document.activeElement && document.activeElement.closest('#key-prompt')) {
      $('main').focus();
    }
  }

  function forgetData() {
    state.data = null;
    state.etag = null;
    state.histories.clear();
    destroyCharts();
    $('pools').replaceChildren();
    $('accounts').replaceChildren();
  }

  // ---- history ------------------------------------------------------------------------------

  function accountKey(account) {
    return account.provider + '/' + account.account;
  }

  /** What changes whenever the service records a new point for the account. */
  function historySignature(account) {
    return (account.fetchedAt || '') + '|' + (account.error ? account.error.code + account.error.occurredAt : '');
  }

  /**
   * The start of the history asked for: the start of the window rounded up to a grain, so the
   * same URL (and ETag) holds for a while instead of moving with every request.
   */
  function historySince() {
    const window = state.settings.historyWindowSeconds * SECOND;
    const grain = Math.min(HOUR, Math.max(SECOND, Math.floor(window / 24)));
    return new Date(Math.ceil((now() - window) / grain) * grain).toISOString();
  }

  async function loadHistories() {
    if (state.loadingHistories) {
      state.historiesAgain = true;
      return;
    }
    state.loadingHistories = true;
    try {
      // One at a time: a consumer's rate limit is shared with its other requests.
      for (const account of visibleAccounts()) {
        if (!state.data || !(await loadHistory(account))) {
          break;
        }
      }
    } finally {
      state.loadingHistories = false;
    }
    if (state.historiesAgain && state.data) {
      state.historiesAgain = false;
      loadHistories();
    }
  }

  /**
   * Loads one account's history if the service recorded something new for it (points leaving
   * the window alone are no reason); false when the others should wait.
   */
  async function loadHistory(account) {
    const key = accountKey(account);
    const known = state.histories.get(key);
    const signature = historySignature(account);
    if (known && known.signature === signature) {
      return true;
    }
    const since = historySince();
    const url = 'balances/' + encodeURIComponent(account.provider) + '/' + encodeURIComponent(account.account)
      + '/history?since=' + encodeURIComponent(since);
    let response;
    try {
      response = await request(url, known && known.since === since ? known.etag : null);
    } catch (failure) {
      return false;
    }
    if (response.status === 304) {
      known.signature = signature;
      return true;
    }
    if (response.status === 200) {
      const history = await response.json();
      state.histories.set(key, { signature, since, etag: response.headers.get('ETag'), points: history.points });
      drawChart(key);
      return true;
    }
    if (response.status === 401) {
      check();
      return false;
    }
    // 429 and the like: try again after the next check.
    return response.status !== 429;
  }

  // ---- charts -------------------------------------------------------------------------------

  function destroyCharts() {
    state.charts.forEach((chart) => chart.destroy());
    state.charts.clear();
    if (resizes) {
      resizes.disconnect();
    }
  }

  function resizeCharts(entries) {
    for (const entry of entries) {
      const chart = state.charts.get(entry.target.dataset.key);
      const width = Math.floor(entry.contentRect.width);
      if (chart && width > 0 && width !== chart.width) {
        chart.setSize({ width, height: CHART_HEIGHT });
      }
    }
  }

  function findChartFigure(key) {
    return Array.from(document.querySelectorAll('figure.chart')).find((figure) => figure.dataset.key === key);
  }

  /** The burn-down of one account: its remaining at each successful reading in the window. */
  function drawChart(key) {
    const figure = findChartFigure(key);
    const history = state.histories.get(key);
    if (!figure || !history) {
      return;
    }
    const plot = figure.querySelector('.plot');
    const caption = figure.querySelector('figcaption');
    const old = state.charts.get(key);
    if (old) {
      old.destroy();
      state.charts.delete(key);
    }
    // One line per product (several products never add up); a point's own remaining when it has
    // one product or none listed.
    const names = Array.from(new Set(history.points.flatMap((point) => (point.products || [])
      .map((product) => product.product)))).sort();
    const lines = names.length > 1 ? names : [null];
    const valueOf = (point, name) => {
      const product = name && (point.products || []).find((entry) => entry.product === name);
      const value = name ? (product ? product.remaining : null) : point.remaining;
      return value === null || value === undefined ? null : Number(value);
    };
    const xs = [];
    const ys = lines.map(() => []);
    for (const point of history.points) {
      if (!point.error && lines.some((name) => valueOf(point, name) !== null)) {
        xs.push(Date.parse(point.at) / SECOND);
        lines.forEach((name, index) => ys[index].push(valueOf(point, name)));
      }
    }
    figure.dataset.points = String(xs.length);
    const unit = figure.dataset.unit;
    if (xs.length === 0) {
      caption.textContent = 'No readings recorded yet.';
      return;
    }
    const span = (xs[xs.length - 1] - xs[0]) * SECOND;
    const change = (values) => {
      const known = values.filter((value) => value !== null);
      return (known.length > 1 ? amount(known[0], unit) + ' → ' : '') + amount(known[known.length - 1], unit);
    };
    caption.textContent = 'Remaining ' + (span > 0 ? 'over the last ' + spanInWords(span) : 'so far') + ': '
      + lines.map((name, index) => (name ? name + ' ' : '') + change(ys[index])).join(', ')
      + ' (' + xs.length + (xs.length === 1 ? ' reading' : ' readings') + ').';
    if (typeof uPlot !== 'function') {
      return;
    }
    // From the first reading to now (a gap at the end is figures not read lately), a minute at least.
    const end = Math.max(xs[xs.length - 1], now() / SECOND);
    const start = Math.min(xs[0], end - 60);
    const options = {
      width: Math.max(120, Math.floor(plot.clientWidth)),
      height: CHART_HEIGHT,
      legend: { show: false },
      cursor: { show: false },
      scales: {
        x: { time: true, range: () => [start, end] },
        // Fitted to the readings, so a trend shows even when little of the total is used.
        y: { range: (chart, min, max) => {
          const pad = Math.max((max - min) * 0.15, Math.abs(max) * 0.001, 1);
          return [Math.max(0, min - pad), max + pad];
        } }
      },
      axes: [
        { stroke: '#4b5563', grid: { stroke: '#e2e5ea' }, ticks: { stroke: '#cfd4dc' } },
        { stroke: '#4b5563', grid: { stroke: '#e2e5ea' }, ticks: { stroke: '#cfd4dc' }, size: 56,
          values: (chart, splits) => splits.map((value) => compact.format(value)) }
      ],
      series: [{}].concat(lines.map((name, index) => ({ label: name || 'Remaining',
        stroke: LINE_COLOURS[index % LINE_COLOURS.length], width: 2,
        fill: lines.length === 1 ? 'rgba(29, 78, 216, 0.12)' : undefined,
        points: { show: xs.length <= 60, size: 5 } })))
    };
    state.charts.set(key, new uPlot(options, [xs].concat(ys), plot));
    if (resizes) {
      resizes.observe(plot);
    }
  }

  // ---- rendering ----------------------------------------------------------------------------

  function visibleAccounts() {
    return state.data ? sortedAccounts(state.data.accounts.filter(visible)) : [];
  }

  function visible(item) {
    return !state.filter || item.provider === state.filter;
  }

  function runsOut(forecast) {
    return forecast && forecast.runsOutAt ? Date.parse(forecast.runsOutAt) : Infinity;
  }

  /**
   * The account's products, each with its own figures and forecast (capacity of one product never
   * pays for another); an account without products (no figures yet) as one entry of its own figures.
   */
  function productsOf(account) {
    return account.products && account.products.length ? account.products
      : [{ product: null, remaining: account.remaining, total: account.total, forecast: account.forecast }];
  }

  /** The account's first run-out over its products. */
  function firstRunOut(account) {
    return Math.min(...productsOf(account).map((product) => runsOut(product.forecast)));
  }

  function productName(product) {
    return product ? product.charAt(0).toUpperCase() + product.slice(1) : '';
  }

  /** Errors first, then the soonest to run out, then by name. */
  function sortedAccounts(accounts) {
    const rank = (account) => (account.error ? 0 : 1);
    return accounts.slice().sort((a, b) => rank(a) - rank(b)
      || firstRunOut(a) - firstRunOut(b)
      || a.provider.localeCompare(b.provider)
      || a.account.localeCompare(b.account));
  }

  function render() {
    destroyCharts();
    renderFilter();
    renderPools();
    renderAccounts();
    state.histories.forEach((history, key) => drawChart(key));
  }

  function renderFilter() {
    const select = $('provider-filter');
    const providers = Array.from(new Set(state.data.totals.map((total) => total.provider)
      .concat(state.data.accounts.map((account) => account.provider)))).sort();
    if (state.filter && !providers.includes(state.filter)) {
      state.filter = '';
    }
    const options = [el('option', { value: '' }, 'All providers')]
      .concat(providers.map((provider) => el('option', { value: provider }, providerName(provider))));
    select.replaceChildren(...options);
    select.value = state.filter;
  }

  function bar(remaining, total, label, classes) {
    const share = total > 0 ? Math.min(1, Math.max(0, remaining / total)) : 0;
    const fill = el('div', { class: 'bar-fill ' + (classes || '') });
    fill.style.width = (share * 100).toFixed(1) + '%';
    return el('div', { class: 'bar', role: 'meter', 'aria-label': label, 'aria-valuemin': 0,
      'aria-valuemax': Number(total), 'aria-valuenow': Number(remaining),
      'aria-valuetext': numbers.format(Number(remaining)) + ' of ' + numbers.format(Number(total)) }, fill);
  }

  function figures(remaining, total, unit, label, classes) {
    if (remaining === null || remaining === undefined) {
      return [el('p', { class: 'amount no-figures' }, 'No figures')];
    }
    const nodes = [el('p', { class: 'amount' }, el('strong', {}, numbers.format(Number(remaining))),
      ' of ' + amount(total, unit),
      Number(total) > 0 ? el('span', { class: 'share' }, ' (' + percent.format(remaining / total) + ')') : null)];
    if (total !== null && Number(total) > 0) {
      nodes.push(bar(remaining, total, label, classes));
    }
    return nodes;
  }

  function lagNote(accounts, provider) {
    const lags = accounts.map((account) => durationMillis(account.dataDelay)).filter((lag) => lag > 0);
    if (lags.length === 0) {
      return null;
    }
    return el('p', { class: 'lag' }, providerName(provider) + ' figures may lag up to ' + spanInWords(Math.max(...lags))
      + ': the provider reports use late, so the service counts its forecasts from that earlier moment.');
  }

  function renderPools() {
    const data = state.data;
    const items = data.totals.filter(visible).map((total) => {
      const accounts = data.accounts.filter((account) => account.provider === total.provider);
      const errors = data.providerErrors.filter((error) => error.provider === total.provider);
      // The pool is one product's: its accounts' figures of that product, its first run-out.
      const holding = accounts.map((account) => ({ account: account.account,
        product: (account.products || []).find((product) => product.product === total.product) }))
        .filter((entry) => entry.product);
      const first = holding.filter((entry) => entry.product.forecast && entry.product.forecast.runsOutAt)
        .map((entry) => ({ account: entry.account, forecast: entry.product.forecast }))
        .sort((a, b) => runsOut(a.forecast) - runsOut(b.forecast))[0];
      const complete = total.complete && errors.length === 0;
      const facts = [el('li', { class: 'accounts-count' }, holding.length + (holding.length === 1 ? ' account' : ' accounts')
        + ' with ' + total.product + (total.accounts !== holding.length ? ', ' + total.accounts + ' with figures' : ''))];
      if (!complete) {
        facts.push(el('li', {}, 'Some figures are missing, so the sum is lower than what is really left.'));
      }
      if (total.forecast && total.forecast.runsOutAt) {
        facts.push(el('li', { class: 'pool-runs-out' }, 'The pool runs out ', time(total.forecast.runsOutAt, true)));
      }
      if (first) {
        facts.push(el('li', { class: 'earliest-runs-out' }, 'First to run out: ' + first.account + ', ',
          time(first.forecast.runsOutAt, true)));
      } else if (!total.forecast || !total.forecast.runsOutAt) {
        facts.push(el('li', { class: 'no-forecast' }, 'No run-out forecast yet.'));
      }
      const problems = errors.map((error) => el('p', { class: 'cause' },
        'The list of ' + providerName(total.provider) + ' accounts could not be read ', time(error.error.occurredAt), ': '
        + sentence(state.settings.errorCodes[error.error.code] || error.error.message)));
      return el('li', { class: 'card pool' + (complete ? '' : ' attention'), 'data-provider': total.provider,
        'data-product': total.product },
        el('div', { class: 'card-head' },
          el('h3', {}, providerName(total.provider) + ' ' + total.product,
            el('span', { class: 'provider' }, ' · ' + total.unit)),
          el('ul', { class: 'badges', 'aria-label': 'Pool status' },
            el('li', { class: 'badge ' + (complete ? 'badge-ok' : 'badge-warn') }, complete ? 'Complete' : 'Incomplete'),
            total.stale ? el('li', { class: 'badge badge-stale' }, 'Stale') : null)),
        figures(total.remaining, total.total, total.unit, providerName(total.provider) + ' ' + total.product + ' remaining'),
        el('ul', { class: 'facts' }, facts),
        problems,
        lagNote(accounts, total.provider));
    });
    $('pools').replaceChildren(...items);
  }

  function causeOf(account) {
    const error = account.error;
    if (error.code === 'PENDING') {
      return el('p', { class: 'cause stale-only' }, 'The first reading from ' + providerName(account.provider)
        + ' was still under way; the figures appear at a later check.');
    }
    const words = sentence(state.settings.errorCodes[error.code] || error.message).replace(/\.$/, '');
    return el('p', { class: 'cause' },
      providerName(account.provider) + ' could not be read ', time(error.occurredAt), ': ' + words
      + (error.upstreamStatus ? ' (HTTP ' + error.upstreamStatus + ').' : '.')
      + (account.fetchedAt ? ' The figures shown are the last good ones.' : ' There are no figures to show.'));
  }

  function warningsOf(account) {
    const items = (account.expiringSoon || []).map((item) => {
      if (item.kind === 'SESSION') {
        return el('li', { class: 'expiring session' }, 'The ' + providerName(account.provider) + ' session expires ',
          time(item.expiresAt, true), '; after that the account cannot be read until it is renewed.');
      }
      return el('li', { class: 'expiring grant' }, (item.name ? '“' + item.name + '”' : 'Grant ' + item.grant) + ': '
        + (item.remaining !== null ? amount(item.remaining, account.unit) + ' left, ' : '') + 'expires ',
        time(item.expiresAt, true));
    });
    productsOf(account).forEach((product) => {
      const unused = expiringUnused(product.forecast);
      if (unused && within(unused.by, state.settings.expiringUnusedWithinSeconds)) {
        items.push(el('li', { class: 'expiring-unused' }, 'About ' + amount(unused.amount, account.unit)
          + (product.product ? ' of ' + product.product : '') + ' will expire unused at this rate, the first ',
          time(unused.by, true)));
      }
    });
    return items.length ? el('ul', { class: 'warnings', 'aria-label': 'Expiring soon' }, items) : null;
  }

  function within(iso, seconds) {
    return Boolean(iso) && Date.parse(iso) - now() < seconds * SECOND;
  }

  /** What the forecast sees expire before it is used, or null when nothing does. */
  function expiringUnused(forecast) {
    const unused = forecast && forecast.expiringUnused;
    return unused && Number(unused.amount) > 0 && unused.by ? unused : null;
  }

  /** One product's forecast (its first run-out, and when a pending pack refills it). */
  function forecastOf(account, productForecast) {
    const forecast = productForecast || {};
    const burn = forecast.burnPerDay;
    const soon = within(forecast.runsOutAt, state.settings.runsOutWithinSeconds);
    if (burn === null || burn === undefined) {
      return el('p', { class: 'forecast none' }, 'No forecast yet: the service has too little history of this account.');
    }
    if (Number(burn) === 0) {
      return el('p', { class: 'forecast' + (soon ? ' soon' : '') }, 'Nothing was used lately',
        forecast.runsOutAt ? [': what is left lapses unused ', time(forecast.runsOutAt, true), '.'] : '.');
    }
    const rate = 'about ' + rates.format(Number(burn)) + ' ' + account.unit + ' a day';
    const nodes = forecast.runsOutAt ? ['Runs out ', time(forecast.runsOutAt, true), ' at ' + rate + '.'] : ['Uses ' + rate + '.'];
    if (forecast.runsOutAt && forecast.refillsAt) {
      nodes.push(' A pending pack starts ', time(forecast.refillsAt, true), '.');
    }
    const unused = expiringUnused(forecast);
    if (unused && !within(unused.by, state.settings.expiringUnusedWithinSeconds)) {
      nodes.push(' About ' + amount(unused.amount, account.unit) + ' will expire unused, the first ', time(unused.by, true), '.');
    }
    return el('p', { class: 'forecast' + (soon ? ' soon' : '') }, nodes);
  }

  function renderAccounts() {
    const accounts = visibleAccounts();
    const items = accounts.map((account, index) => {
      const key = accountKey(account);
      const headingId = 'account-' + index;
      const products = productsOf(account);
      const runsOutSoon = products.some((product) => Boolean(product.forecast)
        && within(product.forecast.runsOutAt, state.settings.runsOutWithinSeconds));
      const expiring = (account.expiringSoon || []).length > 0;
      const failed = account.error && account.error.code !== 'PENDING';
      const badges = [];
      if (failed) {
        badges.push(el('li', { class: 'badge badge-error' }, 'Error'));
      }
      if (account.error && account.error.code === 'PENDING') {
        badges.push(el('li', { class: 'badge badge-pending' }, 'Loading'));
      }
      if (account.stale) {
        badges.push(el('li', { class: 'badge badge-stale' }, 'Stale'));
      }
      if (expiring) {
        badges.push(el('li', { class: 'badge badge-warn' }, 'Expires soon'));
      }
      if (runsOutSoon) {
        badges.push(el('li', { class: 'badge badge-warn' }, 'Runs out soon'));
      }
      if (badges.length === 0) {
        badges.push(el('li', { class: 'badge badge-ok' }, 'OK'));
      }
      const fillClass = (product) => (account.stale ? 'stale'
        : (product.total > 0 && product.remaining / product.total < 0.1 ? 'low' : ''));
      const card = el('li', { class: 'card account' + (failed ? ' urgent' : (account.stale || expiring || runsOutSoon ? ' attention' : '')),
        'data-provider': account.provider, 'data-account': account.account },
      el('div', { class: 'card-head' },
        el('h3', { id: headingId }, account.account, el('span', { class: 'provider' }, ' · ' + providerName(account.provider))),
        el('ul', { class: 'badges', 'aria-label': 'Status' }, badges)),
      account.error ? causeOf(account) : null,
      account.stale && !account.error
        ? el('p', { class: 'cause stale-only' }, 'These figures are older than they should be: the next reading is overdue.')
        : null,
      // One block per product: its figures and its runs-out; never a sum of two products.
      products.map((product) => el('div', { class: 'product', 'data-product': product.product || '' },
        product.product ? el('h4', { class: 'product-name' }, productName(product.product)) : null,
        figures(product.remaining, product.total, account.unit,
          account.account + (product.product ? ' ' + product.product : '') + ' remaining', fillClass(product)),
        forecastOf(account, product.forecast))),
      el('ul', { class: 'facts' },
        el('li', { class: 'fetched' }, account.fetchedAt ? ['Fetched ', time(account.fetchedAt)] : 'Never fetched yet'),
        account.remark ? el('li', { class: 'remark' }, account.remark) : null),
      warningsOf(account),
      account.error && account.error.message && account.error.code !== 'PENDING'
        ? el('p', { class: 'details' }, 'Details: ' + account.error.message) : null,
      el('figure', { class: 'chart', 'data-key': key, 'data-unit': account.unit },
        el('div', { class: 'plot', 'data-key': key, 'aria-hidden': 'true' }),
        el('figcaption', {}, 'Loading the history…')));
      return card;
    });
    $('accounts-title').textContent = 'Accounts (' + accounts.length + ')';
    $('accounts').replaceChildren(...items);
  }

  // ---- start --------------------------------------------------------------------------------

  async function start() {
    $('key-form').addEventListener('submit', submitKey);
    $('forget-key').addEventListener('click', forgetKey);
    $('check-now').addEventListener('click', () => check());
    $('provider-filter').addEventListener('change', (event) => {
      state.filter = event.target.value;
      render();
      loadHistories();
    });
    document.addEventListener('visibilitychange', () => {
      if (!document.hidden && state.due) {
        check();
      }
    });
    setInterval(updateTimes, TICK);
    try {
      const response = await fetch('status/settings', { headers: { Accept: 'application/json' }, cache: 'no-store' });
      if (!response.ok) {
        throw new Error('status ' + response.status);
      }
      state.settings = await response.json();
    } catch (failure) {
      status('The service could not be reached. Reload the page to try again.', true);
      return;
    }
    if (state.settings.keyRequired && !currentKey()) {
      showPrompt('');
      return;
    }
    check();
  }

  start();
}());
