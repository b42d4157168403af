/* Print buttons: <button data-print hidden> prints the page. Without
 * JavaScript the button stays hidden; the browser's own print works. */
(function () {
	"use strict";
	var b = document.querySelectorAll("[data-print]");
	for (var i = 0; i < b.length; i++) {
		b[i].hidden = false;
		b[i].addEventListener("click", function () { window.print(); });
	}
})();
