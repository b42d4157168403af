/* Copy buttons: <button data-copy="ID"> copies the value of element ID
 * and says so in [data-copied="ID"]. Without JavaScript the button stays
 * hidden and the field can be selected by hand. */
(function () {
	"use strict";
	function say(id, text) {
		var s = document.querySelector('[data-copied="' + id + '"]');
		if (s) s.textContent = text;
	}
	function copy(id) {
		var f = document.getElementById(id);
		if (!f) return;
		var done = function () { say(id, "已复制，可以粘贴到微信发给对方"); };
		if (navigator.clipboard && window.isSecureContext) {
			navigator.clipboard.writeText(f.value).then(done, function () {
				f.select(); say(id, "请长按链接选择“复制”");
			});
			return;
		}
		f.focus();
		f.select();
		try {
			if (document.execCommand("copy")) { done(); return; }
		} catch (e) { /* fall through */ }
		say(id, "请长按链接选择“复制”");
	}
	document.querySelectorAll("button[data-copy]").forEach(function (b) {
		b.hidden = false;
		b.addEventListener("click", function () { copy(b.dataset.copy); });
	});
})();
