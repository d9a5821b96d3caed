// Check-in page: read a participant's check-in QR code with the device's camera
// (static/vendor/jsqr), put the code in the scan field and submit it, as a USB
// scanner would. Without a camera, or without permission, the field stays as it is.
(function () {
  "use strict";
  var button = document.getElementById("camera-start");
  var panel = document.getElementById("camera-panel");
  var video = document.getElementById("camera-video");
  var status = document.getElementById("camera-status");
  var field = document.getElementById("id_token");
  var form = document.getElementById("scan-form");
  if (!button || !panel || !video || !field || !form || !window.jsQR) { return; }
  if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) { return; }
  button.hidden = false;
  var canvas = document.createElement("canvas");
  var context = canvas.getContext("2d", { willReadFrequently: true });
  var stream = null;

  function stop() {
    if (stream) { stream.getTracks().forEach(function (track) { track.stop(); }); }
    stream = null;
    panel.hidden = true;
    button.setAttribute("aria-expanded", "false");
  }

  function look() {
    if (!stream) { return; }
    if (video.readyState >= 2 && video.videoWidth) {
      canvas.width = video.videoWidth;
      canvas.height = video.videoHeight;
      context.drawImage(video, 0, 0, canvas.width, canvas.height);
      var image = context.getImageData(0, 0, canvas.width, canvas.height);
      var found = window.jsQR(image.data, image.width, image.height, { inversionAttempts: "dontInvert" });
      if (found && found.data) {
        field.value = found.data;
        stop();
        form.submit();
        return;
      }
    }
    window.setTimeout(look, 150);
  }

  button.addEventListener("click", function () {
    if (stream) { stop(); return; }
    status.textContent = status.getAttribute("data-starting");
    panel.hidden = false;
    button.setAttribute("aria-expanded", "true");
    navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false })
      .then(function (media) {
        stream = media;
        video.srcObject = media;
        video.setAttribute("playsinline", "");
        video.muted = true;
        return video.play();
      })
      .then(function () { status.textContent = status.getAttribute("data-looking"); look(); })
      .catch(function () {
        status.textContent = status.getAttribute("data-refused");
        if (stream) { stream.getTracks().forEach(function (track) { track.stop(); }); }
        stream = null;
      });
  });
  document.getElementById("camera-stop").addEventListener("click", stop);
})();
