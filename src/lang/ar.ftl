### CASM Embed: the widget's texts in Arabic (ar), written right to left.
### Arabic has six plural forms: zero, one, two, few (3–10), many (11–99), other (100+).

kind-online-resource = مورد على الإنترنت
kind-report = تقرير
kind-toolkit = مجموعة أدوات
kind-presentation = عرض تقديمي
kind-photo-set = مجموعة صور
kind-video = فيديو
kind-event = فعالية
loading = جارٍ التحميل…
not-found = هذا المورد غير متاح.
unreachable = تعذّر الوصول إلى خدمة CASM. يُرجى المحاولة مرة أخرى لاحقًا.
stale = تعذّر الوصول إلى الخدمة: هذه نسخة محفوظة سابقًا وقد تكون قديمة.
failed = تعذّر تحميل هذا المحتوى: { $reason }.
retry = إعادة المحاولة
empty = لم يُعثر على أي موارد.
page-information = معلومات الصفحة
popularity = الشعبية
rank-value = { $total ->
    [zero] المرتبة { $rank } من { $total } عنصر
    [one] المرتبة { $rank } من عنصر واحد
    [two] المرتبة { $rank } من عنصرين
    [few] المرتبة { $rank } من { $total } عناصر
    [many] المرتبة { $rank } من { $total } عنصرًا
   *[other] المرتبة { $rank } من { $total } عنصر
}
not-ranked = غير مصنّف
helpful-votes = الأصوات المفيدة
page-views = مشاهدات الصفحة
pages-emailed = الصفحات المرسلة بالبريد الإلكتروني
metacard-views = مشاهدات البطاقة الوصفية
attachments-downloaded = المرفقات التي نُزّلت
relationships-and-highlights = العلاقات والنقاط البارزة
videos-downloaded = مقاطع الفيديو التي نُزّلت
date-created = تاريخ الإنشاء
date-modified = تاريخ التعديل
version-comment = تعليق الإصدار
no-comment = لا يوجد
partners = الشركاء: { $names }
list-separator = { "، " }
links = الروابط
vote-prompt = هل كانت هذه الصفحة مفيدة؟
vote = مفيدة
vote-done = { $n ->
    [zero] شكرًا على تصويتك. لا توجد أصوات مفيدة لهذه الصفحة.
    [one] شكرًا على تصويتك. لهذه الصفحة صوت مفيد واحد.
    [two] شكرًا على تصويتك. لهذه الصفحة صوتان مفيدان.
    [few] شكرًا على تصويتك. لهذه الصفحة { $n } أصوات مفيدة.
    [many] شكرًا على تصويتك. لهذه الصفحة { $n } صوتًا مفيدًا.
   *[other] شكرًا على تصويتك. لهذه الصفحة { $n } صوت مفيد.
}
vote-removed = { $n ->
    [zero] أُزيل صوتك. لا توجد أصوات مفيدة لهذه الصفحة.
    [one] أُزيل صوتك. لهذه الصفحة صوت مفيد واحد.
    [two] أُزيل صوتك. لهذه الصفحة صوتان مفيدان.
    [few] أُزيل صوتك. لهذه الصفحة { $n } أصوات مفيدة.
    [many] أُزيل صوتك. لهذه الصفحة { $n } صوتًا مفيدًا.
   *[other] أُزيل صوتك. لهذه الصفحة { $n } صوت مفيد.
}
vote-failed = تعذّر حفظ صوتك: { $reason }.
email-page = أرسل هذه الصفحة بالبريد الإلكتروني
submit-comments = أرسل تعليقاتك
feedback-text = تعليقاتك
feedback-contact = بريدك الإلكتروني أو اسمك (اختياري)
feedback-send = إرسال
feedback-cancel = إلغاء
feedback-sending = جارٍ الإرسال…
feedback-sent = شكرًا، أُرسلت تعليقاتك.
feedback-failed = تعذّر إرسال تعليقاتك: { $reason }.
feedback-empty = يُرجى كتابة تعليقاتك أولًا.
reason-offline = تعذّر الوصول إلى الخدمة
reason-rate-limited = طلبات كثيرة جدًا، يُرجى المحاولة مرة أخرى بعد قليل
reason-not-found = لم يُعثر عليه
reason-server = ردّت الخدمة بالخطأ { $status }
reason-invalid = أرسلت الخدمة بيانات لا تستطيع هذه الأداة قراءتها

loader-failed = تعذّر تحميل أداة CASM.
loader-view-resource = عرض هذا المورد
loader-view-resources = عرض الموارد
