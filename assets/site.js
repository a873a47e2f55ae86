// site.js — what a page does better with JavaScript; every page works
// without it.
//
// Switching language keeps what was typed: the switcher's links leave the
// page, so a form's changed fields are kept for this tab (sessionStorage,
// nothing leaves the browser) and put back when the page comes again in
// the other language. Passwords, files and hidden fields (the CSRF token)
// are never kept.
(function () {
	'use strict';
	var KEY = 'harmony.typed:' + location.pathname;
	var SKIP = { password: 1, hidden: 1, file: 1, submit: 1, button: 1, reset: 1, image: 1 };

	function fields(form) {
		return Array.prototype.filter.call(form.elements, function (el) {
			return el.name && !SKIP[el.type] && el.name.charAt(0) !== '_';
		});
	}

	function changed(el) {
		if (el.type === 'checkbox' || el.type === 'radio') return el.checked !== el.defaultChecked;
		if (el.tagName === 'SELECT') {
			return Array.prototype.some.call(el.options, function (o) { return o.selected !== o.defaultSelected; });
		}
		return el.value !== el.defaultValue;
	}

	function keep() {
		var kept = [];
		Array.prototype.forEach.call(document.forms, function (form, i) {
			fields(form).forEach(function (el) {
				if (!changed(el)) return;
				var v = el.tagName === 'SELECT'
					? Array.prototype.filter.call(el.options, function (o) { return o.selected; }).map(function (o) { return o.value; })
					: (el.type === 'checkbox' || el.type === 'radio') ? el.checked : el.value;
				kept.push({ form: i, name: el.name, value: el.type === 'radio' ? el.value : null, v: v });
			});
		});
		try {
			if (kept.length) sessionStorage.setItem(KEY, JSON.stringify(kept));
		} catch (e) { /* storage full or refused: the switch still happens */ }
	}

	function restore() {
		var kept;
		try {
			kept = JSON.parse(sessionStorage.getItem(KEY) || 'null');
			sessionStorage.removeItem(KEY);
		} catch (e) { return; }
		if (!Array.isArray(kept)) return;
		kept.forEach(function (k) {
			var form = document.forms[k.form];
			if (!form) return;
			fields(form).forEach(function (el) {
				if (el.name !== k.name) return;
				if (el.type === 'radio') { if (el.value === k.value) el.checked = k.v; }
				else if (el.type === 'checkbox') el.checked = k.v;
				else if (el.tagName === 'SELECT') {
					Array.prototype.forEach.call(el.options, function (o) { o.selected = k.v.indexOf(o.value) >= 0; });
				} else el.value = k.v;
			});
		});
	}

	// On a phone the language band, the site menu and the admin menu each
	// keep to one line that scrolls sideways (site.css): bring the current
	// item into view, so the reader sees where they are. By a change of the
	// list's scrollLeft, which moves nothing else on the page (left to
	// right and right to left alike).
	function showCurrent(list) {
		var cur = list.querySelector('[aria-current]');
		if (!cur || list.scrollWidth <= list.clientWidth) return;
		var l = list.getBoundingClientRect(), c = cur.getBoundingClientRect(), margin = 24;
		if (c.left < l.left) list.scrollLeft -= l.left - c.left + margin;
		else if (c.right > l.right) list.scrollLeft += c.right - l.right + margin;
	}

	restore();
	Array.prototype.forEach.call(document.querySelectorAll('.lang-switch ul, .site-nav ul, .admin-nav ul'), showCurrent);
	document.addEventListener('click', function (ev) {
		var a = ev.target.closest && ev.target.closest('.lang-switch a');
		if (a) keep();
	});
})();

// The error summary over a form that came back with errors (GOV.UK's
// pattern): the focus goes to it when the page loads, so a screen reader
// reads it first; following one of its links puts the focus in the field
// (the first control inside, for a group of checkboxes), not only the
// view.
(function () {
	'use strict';
	var summary = document.querySelector('[data-error-summary]');
	if (!summary) return;
	summary.focus();
	summary.addEventListener('click', function (ev) {
		var a = ev.target.closest && ev.target.closest('a[href^="#"]');
		if (!a) return;
		var target = document.getElementById(decodeURIComponent(a.getAttribute('href').slice(1)));
		if (!target) return;
		var control = target.matches('input, select, textarea, button')
			? target : target.querySelector('input:not([type=hidden]), select, textarea');
		if (!control) return;
		ev.preventDefault();
		var label = document.querySelector('label[for="' + control.id + '"]');
		(target.querySelector('legend') || label || control).scrollIntoView();
		control.focus({ preventScroll: true });
		history.replaceState(null, '', a.getAttribute('href'));
	});
})();

/* The check-in desk: each attempt gets its own nonce (a retried request
 * records one check-in), and where the browser can read QR codes from the
 * camera (BarcodeDetector), a button scans the badge. */
(function () {
  var form = document.querySelector('[data-checkin-form]');
  if (!form) return;
  form.addEventListener('submit', function () {
    var n = form.querySelector('input[name=nonce]');
    if (n && window.crypto && crypto.getRandomValues) {
      var a = new Uint32Array(4);
      crypto.getRandomValues(a);
      n.value = Array.prototype.map.call(a, function (x) { return x.toString(16); }).join('');
    }
  });
  if (!('BarcodeDetector' in window) || !navigator.mediaDevices) return;
  var button = form.querySelector('[data-scan]'), video = form.querySelector('[data-scan-video]');
  button.hidden = false;
  button.addEventListener('click', function () {
    var detector = new window.BarcodeDetector({ formats: ['qr_code'] });
    navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' } }).then(function (stream) {
      video.srcObject = stream;
      video.hidden = false;
      video.play();
      var look = function () {
        detector.detect(video).then(function (codes) {
          if (codes.length) {
            stream.getTracks().forEach(function (t) { t.stop(); });
            form.querySelector('input[name=code]').value = codes[0].rawValue;
            form.requestSubmit ? form.requestSubmit() : form.submit();
          } else {
            requestAnimationFrame(look);
          }
        }, function () { requestAnimationFrame(look); });
      };
      look();
    });
  });
})();

/* The registrations of an event: the balance of the room follows the
 * selection as it changes (without script, "Show the balance after
 * approving" asks for the same page). */
(function () {
  var form = document.getElementById('bulk');
  var panel = document.querySelector('.balance-panel');
  if (!form || !panel || !window.fetch || !window.DOMParser) return;
  var pending = 0;
  form.addEventListener('change', function (ev) {
    if (!ev.target || ev.target.name !== 'id') return;
    var ids = Array.prototype.map.call(form.querySelectorAll('input[name=id]:checked'), function (i) {
      return 'id=' + encodeURIComponent(i.value);
    });
    var mine = ++pending;
    fetch(location.pathname + (ids.length ? '?' + ids.join('&') : ''), { credentials: 'same-origin' })
      .then(function (r) { return r.text(); })
      .then(function (t) {
        if (mine !== pending) return; /* a later change is on its way */
        var fresh = new DOMParser().parseFromString(t, 'text/html').querySelector('.balance-panel');
        if (fresh) panel.innerHTML = fresh.innerHTML;
      });
  });
})();

/* The live view of a conversation: each change its stream announces
 * brings the page's part anew, at most every three seconds; nothing
 * moves but the numbers and dots themselves (no animation, whatever
 * prefers-reduced-motion says). */
(function () {
  var root = document.querySelector('[data-live-stream]');
  var live = document.getElementById('live');
  if (!root || !live || !window.EventSource || !window.fetch || !window.DOMParser) return;
  var due = 0, timer = null, busy = false;
  function refresh() {
    timer = null;
    if (busy) { timer = setTimeout(refresh, 1000); return; }
    busy = true;
    due = Date.now() + 3000;
    fetch(location.pathname, { credentials: 'same-origin', headers: { Accept: 'text/html' } })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (t) {
        var fresh = t && new DOMParser().parseFromString(t, 'text/html').getElementById('live');
        if (fresh) live.innerHTML = fresh.innerHTML;
      })
      .catch(function () {})
      .then(function () { busy = false; });
  }
  var es = new EventSource(root.getAttribute('data-live-stream'));
  es.addEventListener('change', function () {
    if (timer) return;
    timer = setTimeout(refresh, Math.max(0, due - Date.now()));
  });
})();

/* The voting page: a vote is sent in the background and the next
 * statement takes the place of the last without a reload (without
 * script, the same form posts and the page comes back). Focus goes to
 * the new statement, so a screen reader reads it next. */
(function () {
  var box = document.querySelector('.dialogue[data-voting]');
  if (!box || !window.fetch || !window.DOMParser || !window.FormData) return;
  box.addEventListener('submit', function (ev) {
    var form = ev.target;
    if (!form.classList || !form.classList.contains('dialogue-vote')) return;
    var button = ev.submitter;
    if (!button || !window.URLSearchParams) return;
    ev.preventDefault();
    var data = new URLSearchParams(new FormData(form));
    data.set(button.name, button.value);
    Array.prototype.forEach.call(form.querySelectorAll('button'), function (b) { b.disabled = true; });
    fetch(form.action, {
      method: 'POST', credentials: 'same-origin', body: data,
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'text/html' }
    })
      .then(function (r) { return r.text(); })
      .then(function (t) {
        var fresh = new DOMParser().parseFromString(t, 'text/html').querySelector('.dialogue[data-voting]');
        if (!fresh) { location.reload(); return; }
        box.innerHTML = fresh.innerHTML;
        var next = box.querySelector('.dialogue-statement') || box.querySelector('[role=status]');
        if (next) { next.setAttribute('tabindex', '-1'); next.focus(); }
      })
      .catch(function () { location.reload(); });
  });
})();

/* The moderation queue by keyboard: J / K move from statement to
 * statement, A accepts, R rejects (with the reason typed beside it), M
 * marks as meta, X selects. Keys typed in a field are the field's. The
 * help line is shown only where the keys work (with script). */
(function () {
  var table = document.querySelector('[data-queue-keys]');
  if (!table) return;
  var help = document.querySelector('[data-queue-keys-help]');
  if (help) help.hidden = false;
  var rows = Array.prototype.slice.call(table.querySelectorAll('tbody tr'));
  var at = -1;
  function go(i) {
    if (!rows.length) return;
    i = Math.max(0, Math.min(rows.length - 1, i));
    if (at >= 0) rows[at].classList.remove('is-current');
    at = i;
    rows[at].classList.add('is-current');
    var box = rows[at].querySelector('input[type=checkbox]');
    if (box) box.focus();
    rows[at].scrollIntoView({ block: 'nearest' });
  }
  table.addEventListener('focusin', function (ev) {
    var tr = ev.target.closest && ev.target.closest('tbody tr');
    var i = rows.indexOf(tr);
    if (i >= 0 && i !== at) {
      if (at >= 0) rows[at].classList.remove('is-current');
      at = i;
      tr.classList.add('is-current');
    }
  });
  document.addEventListener('keydown', function (ev) {
    if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
    var t = ev.target;
    if (t && (t.tagName === 'TEXTAREA' || t.tagName === 'SELECT' ||
              (t.tagName === 'INPUT' && t.type !== 'checkbox'))) return;
    var k = ev.key.toLowerCase();
    if (k === 'j') { go(at + 1); ev.preventDefault(); return; }
    if (k === 'k') { go(at < 0 ? 0 : at - 1); ev.preventDefault(); return; }
    if (at < 0) return;
    var row = rows[at], decision = { a: 'accepted', r: 'rejected', m: 'meta' }[k];
    if (decision) {
      var b = row.querySelector('button[value^="' + decision + ':"]');
      if (b) { ev.preventDefault(); b.click(); }
    } else if (k === 'x') {
      var box = row.querySelector('input[type=checkbox]');
      if (box) { box.checked = !box.checked; ev.preventDefault(); }
    }
  });
})();

/* The session form warns of conflicts as the organiser edits: the form
 * as it stands goes to its check address (nothing is saved) a moment
 * after a time, room or capacity changes, and the answer's conflicts are
 * listed above the buttons, read out politely. Without script, the
 * warnings come with the page after saving. */
(function () {
  var form = document.querySelector('form[data-conflicts-check]');
  if (!form || !window.fetch || !window.FormData || !window.URLSearchParams) return;
  var box = form.querySelector('[data-live-conflicts]');
  if (!box) return;
  var list = box.querySelector('ul'), timer = null, asked = 0;
  function show(conflicts) {
    list.textContent = '';
    conflicts.forEach(function (c) {
      var li = document.createElement('li');
      li.setAttribute('data-type', c.type);
      li.appendChild(document.createTextNode(c.message + ' '));
      (c.named || []).forEach(function (n) {
        var a = document.createElement('a');
        a.href = '/admin/sessions/' + n.id + '/edit';
        var b = document.createElement('bdi');
        b.textContent = n.title;
        a.appendChild(b);
        li.appendChild(a);
        if (n.start) {
          var t = document.createElement('span');
          t.dir = 'ltr';
          t.textContent = ' (' + n.start + '\u2013' + (n.end || '') + ') ';
          li.appendChild(t);
        }
      });
      list.appendChild(li);
    });
    box.hidden = conflicts.length === 0;
  }
  function check() {
    var n = ++asked;
    fetch(form.getAttribute('data-conflicts-check'), {
      method: 'POST', credentials: 'same-origin', body: new URLSearchParams(new FormData(form)),
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' }
    })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (j) { if (j && n === asked) show(j.conflicts || []); })
      .catch(function () {});
  }
  form.addEventListener('change', function (ev) {
    var name = ev.target && ev.target.name;
    if (!/^(starts_at|ends_at|room|capacity|interpretation|interpretation_languages)$/.test(name || '')) return;
    clearTimeout(timer);
    timer = setTimeout(check, 250);
  });
})();
