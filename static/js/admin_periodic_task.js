"use strict";
// The periodic task form of the admin (django-celery-beat): under the crontab field,
// say in words when the chosen schedule runs. Moved out of the package's inline script,
// which the Content-Security-Policy blocks; the texts are set as text, never as HTML.
(function ($) {
  const script = document.getElementById("periodic-task-overrides");
  const readable = JSON.parse(document.getElementById("readable-crontabs").textContent);
  const help = script.dataset.crontabHelp || "";
  $(".field-crontab_translation").hide();
  $(".field-crontab").change(function () {
    const box = $(".field-crontab .help");
    const meaning = readable[$("#id_crontab").val()];
    box.text(help);
    if (meaning) {
      box.append(document.createElement("br"), document.createTextNode(meaning));
    }
  });
})(django.jQuery);
