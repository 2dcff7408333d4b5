// SPM bar chart, drawn from the JSON the page embeds, under the table that carries the
// same figures. Chart.js (about 200 KiB) is fetched only when the page has a chart and
// the chart comes near the screen, after the page's content: a phone on a slow
// connection reads the table without waiting for it. Okabe–Ito colours (colour-blind
// safe): blue below 100 %, bluish green at 100 % or more; people served in blue.
(function () {
  function draw(canvas, chart) {
    var percent = chart.unit === "%";
    new window.Chart(canvas, {
      type: "bar",
      data: {
        labels: chart.labels,
        datasets: [{
          label: percent ? "%" : "n",
          data: chart.values,
          backgroundColor: chart.values.map(function (v) {
            return percent && v >= 100 ? "#009E73" : "#0072B2";
          }),
        }],
      },
      options: {
        animation: false,
        plugins: { legend: { display: false } },
        scales: { y: percent ? { beginAtZero: true, suggestedMax: 100 } : { beginAtZero: true, ticks: { precision: 0 } } },
      },
    });
  }

  function load(canvas, chart) {
    if (window.Chart) { draw(canvas, chart); return; }
    var script = document.createElement("script");
    script.src = canvas.dataset.chartjs;
    script.onload = function () { draw(canvas, chart); };
    document.head.appendChild(script);
  }

  function start() {
    var canvas = document.getElementById("spm-chart");
    var data = document.getElementById("spm-chart-data");
    if (!canvas || !data || !canvas.dataset.chartjs) return;
    var chart = JSON.parse(data.textContent);
    if (!("IntersectionObserver" in window)) { load(canvas, chart); return; }
    var seen = new IntersectionObserver(function (entries) {
      if (entries.some(function (e) { return e.isIntersecting; })) {
        seen.disconnect();
        load(canvas, chart);
      }
    }, { rootMargin: "200px" });
    seen.observe(canvas);
  }

  if (document.readyState === "complete") start();
  else window.addEventListener("load", start);
})();
