/* Programme dashboard charts, drawn with the vendored Chart.js from the figures in
   #dashboard-data. The tables beside the charts hold the same figures, so the page
   reads fully without JavaScript or a screen. */
(function () {
  "use strict";
  var source = document.getElementById("dashboard-data");
  if (!source || typeof window.Chart === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  var colours = ["#0b5cad", "#17703a", "#8a5a00", "#6b3fa0", "#b3261e"];
  var reduced = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  var common = { responsive: true, maintainAspectRatio: false, animation: reduced ? false : {} };

  var funnel = document.getElementById("funnel-chart");
  if (funnel) {
    new window.Chart(funnel, {
      type: "bar",
      data: {
        labels: data.funnel.labels,
        datasets: [{ data: data.funnel.counts, backgroundColor: colours[0] }]
      },
      options: Object.assign({}, common, {
        indexAxis: "y",
        plugins: { legend: { display: false } },
        scales: { x: { beginAtZero: true, ticks: { precision: 0 } } }
      })
    });
  }

  // Events and meetings differ by an order of magnitude: meetings get their own axis.
  var domains = document.getElementById("domain-chart");
  if (domains) {
    new window.Chart(domains, {
      type: "bar",
      data: {
        labels: data.domains.labels,
        datasets: data.domains.series.map(function (series, index) {
          return {
            label: series.label,
            data: series.data,
            yAxisID: series.axis,
            backgroundColor: colours[index % colours.length]
          };
        })
      },
      options: Object.assign({}, common, {
        scales: {
          events: { position: "left", beginAtZero: true, ticks: { precision: 0 },
                    title: { display: true, text: data.domains.axes.events } },
          meetings: { position: "right", beginAtZero: true, ticks: { precision: 0 },
                      grid: { drawOnChartArea: false },
                      title: { display: true, text: data.domains.axes.meetings } }
        }
      })
    });
  }
})();
