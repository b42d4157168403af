/* admin-catalog.js -- conveniences of the back office's catalog forms.
 * Every page works without it: each button here is a submit button the
 * server answers too (the product form shown again with a row more or
 * less, the SKU search page). Here they act in the page instead. */
(function () {
	"use strict";

	function all(root, sel) {
		return Array.prototype.slice.call(root.querySelectorAll(sel));
	}

	/* A SKU row more: the page's blank row, numbered after the last. */
	function addSku(btn) {
		var tpl = document.getElementById("sku-template");
		var list = document.querySelector("[data-sku-list]");
		var next = 0, div, card;

		if (!tpl || !list)
			return false;
		all(document, "[data-sku]").forEach(function (c) {
			var i = parseInt(c.getAttribute("data-sku"), 10);
			if (i >= next)
				next = i + 1;
		});
		div = document.createElement("div");
		div.innerHTML = tpl.innerHTML.replace(/__I__/g, next)
		    .replace(/__N__/g, next + 1);
		card = div.firstElementChild;
		list.appendChild(card);
		followUnit();
		card.scrollIntoView({ block: "start" });
		card.querySelector("input:not([type=hidden])").focus();
		return true;
	}

	/* A tier or spec row more: the last one's copy, empty, with the next
	 * index. */
	function addRow(btn) {
		var box = btn.closest(".sku-tiers,.sku-specs");
		var rows = box.querySelector(".tier-rows");
		var last = rows.lastElementChild, next = 0, row;

		if (!last)
			return false;
		all(rows, "input[name]").forEach(function (el) {
			var m = /\]\[(\d+)\]$/.exec(el.name);
			if (m && +m[1] >= next)
				next = +m[1] + 1;
		});
		row = last.cloneNode(true);
		row.classList.remove("bad");
		all(row, ".field-error").forEach(function (e) { e.remove(); });
		all(row, "input").forEach(function (el) {
			el.value = "";
			el.removeAttribute("aria-invalid");
			el.name = el.name.replace(/\]\[\d+\]$/, "][" + next + "]");
		});
		all(row, "[data-del-row]").forEach(function (b) {
			b.value = b.value.replace(/:\d+$/, ":" + next);
		});
		rows.appendChild(row);
		row.querySelector("input").focus();
		return true;
	}

	/* The last row stays, emptied: there is always one to type into. */
	function delRow(btn) {
		var row = btn.closest(".tier-row");

		if (row.parentNode.children.length > 1)
			row.remove();
		else
			all(row, "input").forEach(function (el) { el.value = ""; });
		return true;
	}

	/* A SKU row's unit, when left empty, is the product's. */
	function followUnit() {
		var unit = document.querySelector("[data-product-unit]");
		var v = unit && (unit.value.trim() || unit.placeholder);

		if (v)
			all(document, "[data-unit-follows]").forEach(function (el) {
				el.placeholder = v;
			});
	}

	/* Files over the upload limit would fail the whole form's post. */
	function checkFiles(input) {
		var max = +input.getAttribute("data-max-bytes"), sum = 0;

		Array.prototype.forEach.call(input.files, function (f) {
			sum += f.size;
		});
		if (max && sum > max) {
			alert("图片太大：一次最多上传 " + Math.floor(max / 1048576) +
			    " MB，请少选几张或换小一些的图片。");
			input.value = "";
		}
	}

	/* The contract price form's SKU search, as you type. */
	function pickSearch(form) {
		var q = form.querySelector("input[type=search]").value.trim();
		var out = form.parentNode.querySelector("[data-pick-results]");
		var url = form.action + "?q=" + encodeURIComponent(q), seq;

		if (!out)
			return;
		if (q === "") {
			out.innerHTML = "";
			return;
		}
		seq = (form.seq || 0) + 1;
		form.seq = seq;
		fetch(url, { credentials: "same-origin",
		    headers: { Accept: "application/json" } })
		    .then(function (r) { return r.json(); })
		    .then(function (j) {
			if (form.seq === seq)	/* not an older answer */
				showPicks(form, out, j.data || {});
		    })
		    .catch(function () { out.textContent = ""; });
	}

	function showPicks(form, out, d) {
		out.innerHTML = "";
		(d.skus || []).forEach(function (s) {
			var b = document.createElement("button");
			b.type = "button";
			b.className = "pick";
			b.setAttribute("data-code", s.code);
			b.textContent = s.product + (s.spec ? " " + s.spec : "") +
			    "（" + s.code + "）¥" + s.price;
			out.appendChild(b);
		});
		if (!(d.skus || []).length)
			out.textContent = "没有找到，换个词试试";
	}

	function pick(btn) {
		var sec = btn.closest("[data-pick-scope]");
		var code = sec.querySelector("[data-pick-code]");
		var price = sec.querySelector("[data-pick-price]");

		code.value = btn.getAttribute("data-code");
		btn.parentNode.textContent = "已选：" + btn.textContent;
		if (price)
			price.focus();
	}

	/* A button's work done here: true, and the form is not posted. */
	function act(b) {
		if (b.hasAttribute("data-confirm"))
			return !confirm(b.getAttribute("data-confirm"));
		if (b.hasAttribute("data-add-sku"))
			return addSku(b);
		if (b.hasAttribute("data-add-row"))
			return addRow(b);
		if (b.hasAttribute("data-del-row"))
			return delRow(b);
		if (b.hasAttribute("data-del-sku")) {
			b.closest(".sku-card").remove();
			return true;
		}
		if (b.classList.contains("pick")) {
			pick(b);
			return true;
		}
		return false;
	}

	document.addEventListener("click", function (e) {
		var b = e.target.closest("button");

		if (b && act(b))
			e.preventDefault();
	});
	document.addEventListener("input", function (e) {
		var t = e.target, f;

		if (t.hasAttribute("data-product-unit"))
			followUnit();
		if (t.type === "search" && (f = t.closest("[data-sku-pick]"))) {
			clearTimeout(f.timer);
			f.timer = setTimeout(function () { pickSearch(f); }, 250);
		}
	});
	document.addEventListener("change", function (e) {
		if (e.target.type === "file" &&
		    e.target.hasAttribute("data-max-bytes"))
			checkFiles(e.target);
	});
})();
