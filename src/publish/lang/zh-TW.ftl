# errata 的公開頁面與更正紀錄，繁體中文（台灣）。
# 每行是「key = 文字」；`{ $name }` 由 errata 填入。英文檔（en.ftl）的每個 key
# 這裡都要有（有測試檢查）。文字是純文字，不含 HTML。

## 查核結果
verdict-accurate = 正確
verdict-mostly-accurate = 大致正確
verdict-misleading = 誤導
verdict-inaccurate = 錯誤
verdict-unverifiable = 無法證實

## 日期
date = { $year }年{ $month }月{ $day }日

episode-with-date = { $title }（{ $date }）

## 每一頁
default-show = 事實查核
nav-corrections = 更正
about-score-title = 關於分數。
about-score = 正確度分數是已評定的說法（已查核或已更正，不含評為無法證實者）中，評為正確或大致正確的比例，滿分 100。之後更正的說法，仍計入說出它的那一集。尚未查核的說法不計入分數：請對照它們的數量來看。
fact-checks-by = 查核：{ $desk }。

## 首頁
index-title = { $show }：事實查核
index-lede = 節目說了什麼、我們查核了什麼、更正了什麼。
corrections-so-far = { $n ->
    [0] 目前沒有更正
   *[other] 目前共 { $n } 則更正
}
no-episodes = 還沒有任何一集。

## 單集頁面
listen = 收聽這一集
aired-heading = 本集播出的更正
aired-at = { $time }：{ $claims }
in-the-log = （見更正紀錄）
none-checked = 本集還沒有查核完成的說法。
badge-corrected = 已更正
badge-owed = 應更正
said-by-at = { $speaker }於本集 { $time } 說
said-by = { $speaker }說
said-at = 本集 { $time }
sources = 資料來源
correction = 更正
corrected-on-air = 已在「{ $episode }」{ $time } 播出更正
corrected-show-notes = 已在「{ $episode }」的節目說明中更正（{ $time }）
corrected-website = 已在網站上更正（「{ $episode }」，{ $time }）
corrected-social = 已在社群媒體上更正（「{ $episode }」，{ $time }）
permalink = 這則查核的連結

## 成績
accuracy-score = 正確度分數
not-scored = 尚未評分
score-basis = { $rated } 則已評定的說法中，{ $good } 則正確或大致正確
no-claims-logged = 還沒有記錄任何說法
one-claim-checked = 記錄的 1 則說法已查核
all-claims-checked = 記錄的 { $n } 則說法全部已查核
some-unchecked = 記錄的 { $n } 則說法中，{ $unchecked } 則尚未查核
corrections-owed = 應更正 { $n } 則
corrections-aired = 已播出 { $n } 則更正

## 更正紀錄
corrections-title = 更正
corrections-of = 更正：{ $show }
corrections-lede = 節目說錯時，我們會說明。最新的在前。
no-corrections = 目前沒有更正。
log-heading = { $episode }，{ $time }
medium-on-air = 已在節目中更正。
medium-show-notes = 已在節目說明中更正。
medium-website = 已在網站上更正。
medium-social = 已在社群媒體上更正。
reported-by = 提出者：{ $who }。
what-was-said = 節目所說
said-in = ，「{ $episode }」
said-at-time = {" "}{ $time }
said-by-speaker = ，{ $speaker }
rated = ，評為{ $verdict }
colon = ：
fact-check = 查核
what-is-right = 正確的說法
archived-copy = （封存副本）
untitled-source = （無標題來源）

## 紀錄的修訂
amended = { $date } 由 { $author } 修訂：{ $summary }
moved-from = 移自 { $path }
set-to = 設為
removed = 移除
added = 新增
verdict-changed = { $date } 查核結果由「{ $from }」改為「{ $to }」。
history = 修訂紀錄：{ $n } 次

## 逐字稿頁面
transcript-link = 閱讀逐字稿（標出查核過的說法）
transcript-title = 逐字稿：{ $episode }
transcript-lede = 每段查核過的引述都已標出，點選即可看到查核結果。這一集有網址時，時間可直接連到該段節目。
transcript-back = 回到本集的查核
