// Capability suggestions on the need form: after each pause in typing, the title,
// summary and description go to the suggestion endpoint; the answer is shown as
// chips with their reason, which the author accepts (ticks the capability) or
// removes. Without JavaScript the form works as before.
(function () {
  "use strict";
  var box = document.getElementById("capability-suggestions");
  if (!box) { return; }
  var form = box.closest("form");
  var list = box.querySelector(".suggestion-chips");
  var industryLine = box.querySelector(".suggested-industry");
  var fields = ["title", "summary", "description"].map(function (name) {
    return form.querySelector('[name="' + name + '"]');
  }).filter(Boolean);
  var removed = {};
  var timer = null;
  var lastSent = "";

  function checkbox(id) {
    return form.querySelector('input[name="capabilities"][value="' + id + '"]');
  }

  function button(label, className, onClick) {
    var b = document.createElement("button");
    b.type = "button";
    b.className = "button small " + className;
    b.textContent = label;
    b.addEventListener("click", onClick);
    return b;
  }

  function chip(item) {
    var li = document.createElement("li");
    li.className = "suggestion";
    li.setAttribute("data-code", item.code);
    var name = document.createElement("strong");
    name.textContent = item.name;
    var reason = document.createElement("span");
    reason.className = "reason";
    reason.textContent = " " + item.reason + " ";
    li.appendChild(name);
    li.appendChild(reason);
    var box_ = checkbox(item.id);
    if (box_ && box_.checked) {
      var done = document.createElement("span");
      done.className = "badge ok";
      done.textContent = box.getAttribute("data-accepted");
      li.appendChild(done);
    } else {
      li.appendChild(button(box.getAttribute("data-accept"), "", function () {
        if (box_) { box_.checked = true; }
        render(lastItems);
      }));
    }
    li.appendChild(button(box.getAttribute("data-remove"), "secondary", function () {
      removed[item.code] = true;
      if (box_) { box_.checked = false; }
      render(lastItems);
    }));
    return li;
  }

  var lastItems = {capabilities: [], industries: []};

  function render(data) {
    lastItems = data;
    list.textContent = "";
    data.capabilities.forEach(function (item) {
      if (!removed[item.code]) { list.appendChild(chip(item)); }
    });
    var industry = form.querySelector('[name="industry"]');
    var best = data.industries[0];
    industryLine.textContent = "";
    industryLine.hidden = !(best && industry && !industry.value);
    if (!industryLine.hidden) {
      industryLine.appendChild(document.createTextNode(
        box.getAttribute("data-industry") + ": " + best.name + " " + best.reason + " "));
      industryLine.appendChild(button(box.getAttribute("data-accept"), "", function () {
        industry.value = String(best.id);
        industryLine.hidden = true;
      }));
    }
    box.hidden = !list.children.length && industryLine.hidden;
  }

  function ask() {
    var body = new URLSearchParams();
    fields.forEach(function (f) { body.append(f.name, f.value); });
    var sent = body.toString();
    if (sent === lastSent) { return; }
    lastSent = sent;
    var token = form.querySelector('[name="csrfmiddlewaretoken"]');
    fetch(box.getAttribute("data-url"), {
      method: "POST",
      credentials: "same-origin",
      headers: {"X-CSRFToken": token ? token.value : "", "Content-Type": "application/x-www-form-urlencoded"},
      body: sent
    }).then(function (response) {
      return response.ok ? response.json() : null;
    }).then(function (data) {
      if (data && sent === lastSent) { render(data); }
    }).catch(function () { /* suggestions are optional */ });
  }

  fields.forEach(function (f) {
    f.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(ask, 500);
    });
  });
  if (fields.some(function (f) { return f.value.trim(); })) { ask(); }
})();
