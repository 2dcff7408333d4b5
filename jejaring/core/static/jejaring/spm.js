// SPM bar chart, drawn from the JSON the page embeds. Okabe–Ito colours (colour-blind
// safe): blue below 100 %, bluish green at 100 % or more.
document.addEventListener("DOMContentLoaded", function () {
  var canvas = document.getElementById("spm-chart");
  var data = document.getElementById("spm-chart-data");
  if (!canvas || !data || !window.Chart) return;
  var chart = JSON.parse(data.textContent);
  new window.Chart(canvas, {
    type: "bar",
    data: {
      labels: chart.labels,
      datasets: [{
        label: "%",
        data: chart.percent,
        backgroundColor: chart.percent.map(function (p) { return p >= 100 ? "#009E73" : "#0072B2"; }),
      }],
    },
    options: {
      animation: false,
      plugins: { legend: { display: false } },
      scales: { y: { beginAtZero: true, suggestedMax: 100 } },
    },
  });
});
