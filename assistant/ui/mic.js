// Clear Japanese messages when the microphone cannot be used (permission denied, no device).
// Gradio asks for the microphone through getUserMedia; we watch that call and explain failures
// in the page, next to the recording controls. Nothing here talks to any server.
(function () {
  function box() { return document.getElementById("mic-error"); }
  function show(text) {
    var el = box();
    if (!el) { window.__micError = text; return; }
    el.textContent = text;
    el.hidden = false;
  }
  function hide() { var el = box(); if (el) { el.hidden = true; el.textContent = ""; } }
  function message(err) {
    var name = (err && err.name) || "";
    if (name === "NotAllowedError" || name === "SecurityError" || name === "PermissionDeniedError") {
      return "マイクの使用が許可されていません。ブラウザのアドレスバーのマイクのアイコンから、このページにマイクの使用を許可してください。" +
        "録音ファイルのアップロードでも文字起こしできます。これまでの記録はそのまま残っています。";
    }
    if (name === "NotFoundError" || name === "DevicesNotFoundError" || name === "OverconstrainedError") {
      return "マイクが見つかりません。マイクがパソコンに接続されているか確認してください。" +
        "録音ファイルのアップロードでも文字起こしできます。これまでの記録はそのまま残っています。";
    }
    if (name === "NotReadableError" || name === "TrackStartError") {
      return "マイクを使えません。ほかのアプリがマイクを使っていないか確認してください。これまでの記録はそのまま残っています。";
    }
    return "マイクを開始できませんでした（" + name + "）。録音ファイルのアップロードでも文字起こしできます。";
  }
  var md = navigator.mediaDevices;
  if (!md || !md.getUserMedia) {
    window.addEventListener("load", function () {
      show("このブラウザではマイクを使えません（ページを http://127.0.0.1 で開いているか確認してください）。" +
        "録音ファイルのアップロードは使えます。");
    });
    return;
  }
  var original = md.getUserMedia.bind(md);
  md.getUserMedia = function (constraints) {
    return original(constraints).then(function (stream) { hide(); return stream; },
      function (err) { show(message(err)); throw err; });
  };
  window.addEventListener("load", function () { if (window.__micError) { show(window.__micError); } });
})();
