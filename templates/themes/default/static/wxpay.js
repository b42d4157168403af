/* WeChat Pay on the pay page: hands the signed parameters in
 * [data-wxpay] to WeixinJSBridge (the WeChat browser), then submits the
 * check form, whatever the outcome: the server asks WeChat Pay what
 * happened, so nothing here is trusted. Outside WeChat it says so. */
(function () {
	"use strict";
	var el = document.querySelector("[data-wxpay]");
	var check = document.getElementById("wxpay-check");
	var say = document.getElementById("wxpay-status");
	if (!el || !check) return;
	var params;
	try { params = JSON.parse(el.getAttribute("data-wxpay")); }
	catch (e) { return; }
	function pay() {
		window.WeixinJSBridge.invoke("getBrandWCPayRequest", params,
		    function (res) {
			var m = res && res.err_msg || "";
			if (m === "get_brand_wcpay_request:cancel") {
				say.textContent = "已取消支付，可以再次点击支付";
				return;
			}
			say.textContent = "正在确认支付结果…";
			check.submit();
		});
	}
	var btn = document.getElementById("wxpay-go");
	if (btn) btn.addEventListener("click", function () {
		if (window.WeixinJSBridge) pay();
		else say.textContent = "请在微信里打开本页完成支付";
	});
	if (window.WeixinJSBridge) pay();
	else document.addEventListener("WeixinJSBridgeReady", pay, false);
})();
