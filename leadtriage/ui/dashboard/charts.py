"""QtCharts for the dashboard: the weekly sales-cycle starts trend, the funnel and
the source comparison. Each chart emits `bar_clicked(category index, set index)` so
the view can drill down."""

from __future__ import annotations

from PySide6.QtCharts import (
    QBarCategoryAxis,
    QBarSeries,
    QBarSet,
    QChart,
    QChartView,
    QHorizontalBarSeries,
    QValueAxis,
)
from PySide6.QtCore import QMargins, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QPainter
from PySide6.QtWidgets import QFrame

ACCENT = QColor("#1f6feb")
ACCENT_2 = QColor("#8cb4f5")
GOOD = QColor("#1a7f37")
MUTED = QColor("#57606a")


class BarChart(QChartView):
    bar_clicked = Signal(int, int)  # category index, set index

    def __init__(self, horizontal: bool = False, parent=None):
        chart = QChart()
        chart.setBackgroundVisible(False)
        chart.setPlotAreaBackgroundVisible(False)
        chart.setMargins(QMargins(4, 4, 4, 4))
        chart.legend().setVisible(False)
        chart.setAnimationOptions(QChart.AnimationOption.NoAnimation)
        super().__init__(chart, parent)
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setBackgroundBrush(QBrush(QColor("white")))
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.horizontal = horizontal
        self.setMinimumHeight(220)

    def set_data(self, categories: list[str], sets: list[tuple[str, list[float], QColor]], *,
                 labels: bool = True, legend: bool = False, number_format: str = "@value") -> None:
        chart = self.chart()
        chart.removeAllSeries()
        for axis in chart.axes():
            chart.removeAxis(axis)
        series = QHorizontalBarSeries() if self.horizontal else QBarSeries()
        series.setBarWidth(0.7 if len(sets) == 1 else 0.8)
        top = 0.0
        for index, (name, values, color) in enumerate(sets):
            bar = QBarSet(name)
            bar.append([float(v) for v in values])
            bar.setColor(color)
            bar.setBorderColor(color)
            bar.setLabelColor(QColor("#24292f"))
            bar.clicked.connect(lambda category, i=index: self.bar_clicked.emit(category, i))
            series.append(bar)
            top = max([top, *values])
        series.setLabelsVisible(labels)
        series.setLabelsFormat(number_format)
        series.setLabelsPosition(QBarSeries.LabelsPosition.LabelsOutsideEnd)
        chart.addSeries(series)
        cat_axis = QBarCategoryAxis()
        cat_axis.append(categories)
        cat_axis.setGridLineVisible(False)
        value_axis = QValueAxis()
        value_axis.setRange(0, max(4.0, top * 1.15))
        value_axis.setTickCount(5)
        value_axis.applyNiceNumbers()  # round tick values (0, 100k, 200k ...), room for bar labels
        value_axis.setLabelFormat("%.0f")
        value_axis.setGridLineColor(QColor("#eaeef2"))
        font = QFont()
        font.setPointSizeF(8.5)
        cat_axis.setLabelsFont(font)
        value_axis.setLabelsFont(font)
        value_axis.setLabelsColor(MUTED)
        if self.horizontal:
            chart.addAxis(cat_axis, Qt.AlignmentFlag.AlignLeft)
            chart.addAxis(value_axis, Qt.AlignmentFlag.AlignBottom)
        else:
            chart.addAxis(cat_axis, Qt.AlignmentFlag.AlignBottom)
            chart.addAxis(value_axis, Qt.AlignmentFlag.AlignLeft)
        series.attachAxis(cat_axis)
        series.attachAxis(value_axis)
        chart.legend().setVisible(legend)
        chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
